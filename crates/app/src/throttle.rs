//! Login throttling per client address, kept in this server's memory
//! (issue 19). It runs before the username is looked up or a password is
//! verified, so a throttled attempt costs no argon2 work and never counts
//! towards an account's lock.
//!
//! Two limits, both the same for every username, real or not (so they
//! reveal nothing about which accounts exist):
//!
//! * **Per address**: failed logins from one address (any usernames) fill a
//!   leaky bucket of [`Settings::throttle_per_address`] that drains at that
//!   many per [`Settings::throttle_minutes`]. A full bucket refuses logins
//!   from the address until a failure has drained. This bounds password
//!   spraying and the argon2 work one address can cause, while a steady trickle
//!   of typing mistakes from a shared (NAT) address keeps draining.
//! * **Per address and username**: after
//!   [`Settings::throttle_per_address_and_user`] failures (default: one less
//!   than [`Settings::max_failed_logins`]) from one address for one
//!   username, that address waits [`Settings::throttle_minutes`] after its
//!   last failure before it may try that username again. Only those first
//!   failures count towards the account's lock in the database: later ones
//!   are verified and refused, but one address alone cannot lock anyone out,
//!   so an attacker hammering IT's account from elsewhere does not lock out
//!   IT during an outage. A success from the address forgets its failures.
//!
//! **Per server.** The counts live in memory: they start empty when the
//! server starts, and several servers behind a load balancer each keep
//! their own. Nothing that must hold across servers depends on them: the
//! per-username lock stays in the database. Behind a reverse proxy listed in
//! `trusted_proxies` the client address is the forwarded one (see
//! `reserv_web::kit::proxy`); behind any other proxy every client has the
//! proxy's address, so the per-address bucket is then shared by everyone
//! (set `throttle_per_address = 0` to turn it off there). IPv6
//! addresses are counted per /64, the block one host usually has.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

use crate::Settings;

/// The most entries each map keeps; beyond it the oldest is forgotten.
const MAX_ENTRIES: usize = 50_000;
/// How long the failures of an address for a username are remembered
/// without a new failure.
const PAIR_MEMORY: SignedDuration = SignedDuration::from_hours(24);

/// Why a login was refused before any password was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// Too many failures from this address, whatever the usernames.
    Address { until: Timestamp },
    /// Too many failures from this address for this username.
    AddressAndUser { until: Timestamp },
}

impl Throttled {
    pub fn until(self) -> Timestamp {
        match self {
            Throttled::Address { until } | Throttled::AddressAndUser { until } => until,
        }
    }

    /// The key written in the audit record.
    pub fn key(self) -> &'static str {
        match self {
            Throttled::Address { .. } => "address",
            Throttled::AddressAndUser { .. } => "address_and_user",
        }
    }
}

/// What a refusal is: whether it is the first of its throttle period (the
/// one worth an audit record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub throttled: Throttled,
    pub first: bool,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    level: f64,
    at: Timestamp,
    reported: bool,
}

#[derive(Debug, Clone, Copy)]
struct Pair {
    failures: u32,
    last: Timestamp,
    reported: bool,
}

#[derive(Default)]
struct State {
    addresses: HashMap<String, Bucket>,
    pairs: HashMap<(String, String), Pair>,
}

/// The limits of [`LoginThrottle`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failures per address per window; 0 turns the limit off.
    pub per_address: u32,
    /// Failures per address and username before that pair waits; 0 turns it off.
    pub per_address_and_user: u32,
    pub window: SignedDuration,
}

impl Limits {
    pub fn of(s: &Settings) -> Limits {
        Limits {
            per_address: s.throttle_per_address,
            per_address_and_user: s.throttle_per_address_and_user,
            // At least a minute, at most a week.
            window: SignedDuration::from_mins(s.throttle_minutes.clamp(1, 7 * 24 * 60)),
        }
    }
}

/// The in-memory counts of failed logins per address (see the module).
pub struct LoginThrottle {
    limits: Limits,
    state: Mutex<State>,
}

/// The address an entry is counted under: an IPv6 address by its /64.
fn address_key(origin: &str) -> String {
    match origin.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(IpAddr::V6(v6)) => v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
        _ => origin.to_owned(),
    }
}

fn secs(d: SignedDuration) -> f64 {
    d.as_secs_f64().max(0.0)
}

impl LoginThrottle {
    pub fn new(limits: Limits) -> LoginThrottle {
        LoginThrottle { limits, state: Mutex::new(State::default()) }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Failures drained per second from an address's bucket.
    fn drain_rate(&self) -> f64 {
        f64::from(self.limits.per_address) / secs(self.limits.window).max(1.0)
    }

    fn drained(&self, b: &Bucket, now: Timestamp) -> f64 {
        (b.level - secs(now.duration_since(b.at)) * self.drain_rate()).max(0.0)
    }

    /// Whether a login from `origin` for `user_key` may be tried at `now`.
    pub fn check(&self, origin: &str, user_key: &str, now: Timestamp) -> Result<(), Refusal> {
        let address = address_key(origin);
        let mut st = self.state();
        let limit = f64::from(self.limits.per_address);
        if self.limits.per_address > 0
            && let Some(b) = st.addresses.get(&address).copied()
        {
            let level = self.drained(&b, now);
            if level > limit - 1.0 {
                // Until one failure's worth has drained.
                let wait = (level - (limit - 1.0)) / self.drain_rate();
                let wait = SignedDuration::try_from_secs_f64(wait.ceil()).unwrap_or(self.limits.window);
                let until = now + wait.min(self.limits.window);
                let first = !b.reported;
                if let Some(e) = st.addresses.get_mut(&address) {
                    e.reported = true;
                }
                return Err(Refusal { throttled: Throttled::Address { until }, first });
            }
        }
        let key = (address, user_key.to_owned());
        if self.limits.per_address_and_user > 0
            && let Some(p) = st.pairs.get_mut(&key)
            && p.failures >= self.limits.per_address_and_user
            && now < p.last + self.limits.window
        {
            let first = !p.reported;
            p.reported = true;
            return Err(Refusal { throttled: Throttled::AddressAndUser { until: p.last + self.limits.window }, first });
        }
        Ok(())
    }

    /// Records a failed login; returns whether it counts towards the
    /// account's lock (only the first failures of each address do).
    pub fn failed(&self, origin: &str, user_key: &str, now: Timestamp) -> bool {
        let address = address_key(origin);
        let mut st = self.state();
        if self.limits.per_address > 0 {
            let level = st.addresses.get(&address).map(|b| self.drained(b, now)).unwrap_or(0.0);
            prune(&mut st.addresses, |b| b.at);
            st.addresses.insert(address.clone(), Bucket { level: level + 1.0, at: now, reported: false });
        }
        if self.limits.per_address_and_user == 0 {
            return true;
        }
        let key = (address, user_key.to_owned());
        let before = st.pairs.get(&key).filter(|p| now.duration_since(p.last) < PAIR_MEMORY).map_or(0, |p| p.failures);
        prune(&mut st.pairs, |p| p.last);
        st.pairs.insert(key, Pair { failures: before.saturating_add(1), last: now, reported: false });
        before < self.limits.per_address_and_user
    }

    /// Records a successful login: the address's failures for the username
    /// are forgotten.
    pub fn succeeded(&self, origin: &str, user_key: &str) {
        let key = (address_key(origin), user_key.to_owned());
        self.state().pairs.remove(&key);
    }
}

/// Requests for subscription mail (issue 19, item 8), per client address
/// and for the whole server, kept in this server's memory like the login
/// counts (see the module: per server, empty after a start). Every request
/// counts, accepted or not for other reasons, since each may send a mail.
/// Both limits are leaky buckets of `per_address` and `global` requests
/// that drain at that many per hour; 0 turns a limit off.
pub struct SubscriptionThrottle {
    per_address: u32,
    global: u32,
    state: Mutex<(HashMap<String, Bucket>, Option<Bucket>)>,
}

const HOUR: SignedDuration = SignedDuration::from_hours(1);

/// The level of a bucket of `limit` per hour at `now`, drained.
fn hourly_level(b: Option<&Bucket>, limit: u32, now: Timestamp) -> f64 {
    b.map_or(0.0, |b| (b.level - secs(now.duration_since(b.at)) * f64::from(limit) / secs(HOUR)).max(0.0))
}

/// When a bucket of `limit` per hour at `level` has room for one more.
fn hourly_until(level: f64, limit: u32, now: Timestamp) -> Timestamp {
    let wait = (level - (f64::from(limit) - 1.0)) * secs(HOUR) / f64::from(limit).max(1.0);
    now + SignedDuration::try_from_secs_f64(wait.ceil().max(1.0)).unwrap_or(HOUR).min(HOUR)
}

impl SubscriptionThrottle {
    pub fn new(per_address: u32, global: u32) -> SubscriptionThrottle {
        SubscriptionThrottle { per_address, global, state: Mutex::new((HashMap::new(), None)) }
    }

    /// Counts a request from `origin` at `now`, or refuses it until the
    /// returned time (refused requests are not counted).
    pub fn admit(&self, origin: &str, now: Timestamp) -> Result<(), Timestamp> {
        let address = address_key(origin);
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (addresses, global) = &mut *st;
        let own = hourly_level(addresses.get(&address), self.per_address, now);
        if self.per_address > 0 && own > f64::from(self.per_address) - 1.0 {
            return Err(hourly_until(own, self.per_address, now));
        }
        let all = hourly_level(global.as_ref(), self.global, now);
        if self.global > 0 && all > f64::from(self.global) - 1.0 {
            return Err(hourly_until(all, self.global, now));
        }
        if self.per_address > 0 {
            prune(addresses, |b| b.at);
            addresses.insert(address, Bucket { level: own + 1.0, at: now, reported: false });
        }
        if self.global > 0 {
            *global = Some(Bucket { level: all + 1.0, at: now, reported: false });
        }
        Ok(())
    }
}

/// Keeps a map below [`MAX_ENTRIES`] by forgetting its oldest entry.
fn prune<K: Clone + Eq + std::hash::Hash, V>(map: &mut HashMap<K, V>, at: impl Fn(&V) -> Timestamp) {
    if map.len() < MAX_ENTRIES {
        return;
    }
    if let Some(oldest) = map.iter().min_by_key(|(_, v)| at(v)).map(|(k, _)| k.clone()) {
        map.remove(&oldest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn throttle(per_address: u32, per_pair: u32) -> LoginThrottle {
        LoginThrottle::new(Limits {
            per_address,
            per_address_and_user: per_pair,
            window: SignedDuration::from_mins(15),
        })
    }

    #[test]
    fn one_address_gets_four_counted_failures_per_username_then_waits() {
        let th = throttle(0, 4);
        let now = t("2026-11-23T08:00:00Z");
        for _ in 0..4 {
            assert!(th.check("10.0.0.9", "demo-it", now).is_ok());
            assert!(th.failed("10.0.0.9", "demo-it", now));
        }
        let r = th.check("10.0.0.9", "demo-it", now).unwrap_err();
        assert_eq!(
            r,
            Refusal { throttled: Throttled::AddressAndUser { until: t("2026-11-23T08:15:00Z") }, first: true }
        );
        assert!(!th.check("10.0.0.9", "demo-it", now).unwrap_err().first, "reported once");
        // Another address, and another username, are not affected.
        assert!(th.check("10.0.0.10", "demo-it", now).is_ok());
        assert!(th.check("10.0.0.9", "demo-admin", now).is_ok());
        // After the wait one more try, which no longer counts towards the lock.
        let later = t("2026-11-23T08:15:00Z");
        assert!(th.check("10.0.0.9", "demo-it", later).is_ok());
        assert!(!th.failed("10.0.0.9", "demo-it", later));
        assert!(th.check("10.0.0.9", "demo-it", later).is_err());
        // A success forgets the failures.
        th.succeeded("10.0.0.9", "demo-it");
        assert!(th.check("10.0.0.9", "demo-it", later).is_ok());
        assert!(th.failed("10.0.0.9", "demo-it", later));
    }

    #[test]
    fn an_address_bucket_fills_and_drains() {
        let th = throttle(30, 0);
        let now = t("2026-11-23T08:00:00Z");
        for i in 0..30 {
            assert!(th.check("192.0.2.7", &format!("user{i}"), now).is_ok(), "{i}");
            th.failed("192.0.2.7", &format!("user{i}"), now);
        }
        let r = th.check("192.0.2.7", "someone-else", now).unwrap_err();
        // 30 per 15 minutes drain one every 30 s.
        assert_eq!(r.throttled, Throttled::Address { until: t("2026-11-23T08:00:30Z") });
        assert!(th.check("192.0.2.8", "someone-else", now).is_ok(), "other addresses are not affected");
        assert!(th.check("192.0.2.7", "x", t("2026-11-23T08:00:30Z")).is_ok());
        // A steady trickle of one failure a minute never fills it.
        let th = throttle(30, 0);
        for m in 0..120 {
            let at = now + SignedDuration::from_mins(m);
            assert!(th.check("192.0.2.7", "x", at).is_ok(), "{m}");
            th.failed("192.0.2.7", "x", at);
        }
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
        assert_eq!(address_key("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(address_key("192.0.2.1"), "192.0.2.1");
        assert_eq!(address_key("cli"), "cli");
    }

    #[test]
    fn subscription_requests_are_limited_per_address_and_in_all() {
        let th = SubscriptionThrottle::new(5, 8);
        let now = t("2026-11-23T08:00:00Z");
        for _ in 0..5 {
            assert!(th.admit("192.0.2.1", now).is_ok());
        }
        // 5 an hour drain one every 12 minutes.
        assert_eq!(th.admit("192.0.2.1", now), Err(t("2026-11-23T08:12:00Z")));
        assert!(th.admit("192.0.2.2", now).is_ok());
        assert!(th.admit("192.0.2.3", now).is_ok());
        assert!(th.admit("192.0.2.4", now).is_ok());
        // Eight in all: the next address is refused too.
        assert!(th.admit("192.0.2.5", now).is_err());
        assert!(th.admit("192.0.2.1", t("2026-11-23T08:12:00Z")).is_ok());
        let off = SubscriptionThrottle::new(0, 0);
        for _ in 0..100 {
            assert!(off.admit("192.0.2.1", now).is_ok());
        }
    }

    #[test]
    fn the_maps_stay_bounded() {
        let th = throttle(30, 4);
        let now = t("2026-11-23T08:00:00Z");
        for i in 0..(MAX_ENTRIES + 10) {
            th.failed(&format!("10.{}.{}.{}", i >> 16 & 255, i >> 8 & 255, i & 255), "u", now);
        }
        let st = th.state();
        assert!(st.addresses.len() <= MAX_ENTRIES && st.pairs.len() <= MAX_ENTRIES);
    }
}
