//! The client address of a request (issue 19, item 11): the TCP peer,
//! unless the peer is one of the configured trusted proxies
//! (`trusted_proxies`, IP addresses or CIDR blocks; none by default). Then
//! `X-Forwarded-For` is read from the right, skipping trusted proxies, and
//! the first address that is not one is the client's. A header from an
//! untrusted peer is ignored, so a client cannot choose its own address.
//! The address found is what the audit log's origin and the throttles use
//! ([`ClientAddr`], read by `ctx::origin_of`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// One trusted address block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Block {
    addr: IpAddr,
    prefix: u8,
}

impl Block {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(a) & mask == u32::from(b) & mask
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(a) & mask == u128::from(b) & mask
            }
            _ => false,
        }
    }
}

/// The trusted reverse proxies (empty: none, the default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Block>);

/// An IPv4-mapped IPv6 address as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl TrustedProxies {
    /// Parses addresses and CIDR blocks (`10.0.0.1`, `10.1.0.0/16`, `fd00::/8`).
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<TrustedProxies, String> {
        let mut blocks = Vec::new();
        for item in items {
            let s = item.as_ref().trim();
            if s.is_empty() {
                continue;
            }
            let bad = || format!("trusted_proxies: {s:?} is not an IP address or CIDR block (e.g. 10.0.0.0/8)");
            let (ip, prefix) = match s.split_once('/') {
                Some((ip, p)) => (ip, Some(p.parse::<u8>().map_err(|_| bad())?)),
                None => (s, None),
            };
            let addr = canonical(ip.parse::<IpAddr>().map_err(|_| bad())?);
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let prefix = prefix.unwrap_or(max);
            if prefix > max {
                return Err(bad());
            }
            blocks.push(Block { addr, prefix });
        }
        Ok(TrustedProxies(blocks))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|b| b.contains(ip))
    }

    /// The client address of a request from `peer` with these headers.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !self.contains(client) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.into_iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                // A malformed entry: nothing left of it can be believed.
                return client;
            };
            client = ip;
            if !self.contains(ip) {
                return ip;
            }
        }
        client
    }
}

/// An `X-Forwarded-For` entry: an address, perhaps with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    hop.parse::<SocketAddr>().ok().map(|s| canonical(s.ip()))
}

/// The client address of a request, as found by [`client_address`].
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

/// Finds the client address once per request (before everything else).
pub async fn client_address(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    if let Some(peer) = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()) {
        let ip = st.trusted_proxies.client(peer, req.headers());
        req.extensions_mut().insert(ClientAddr(ip));
    }
    next.run(req).await
}

/// No proxy trusted.
pub fn none() -> Arc<TrustedProxies> {
    Arc::new(TrustedProxies::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn xff(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn blocks_parse_and_match() {
        let t = TrustedProxies::parse(&["10.0.0.0/8", "192.0.2.1", "fd00::/8", " "]).unwrap();
        assert!(t.contains(ip("10.200.3.4")));
        assert!(t.contains(ip("::ffff:10.1.1.1")));
        assert!(t.contains(ip("192.0.2.1")));
        assert!(!t.contains(ip("192.0.2.2")));
        assert!(t.contains(ip("fd12::1")));
        assert!(!t.contains(ip("2001:db8::1")));
        assert!(TrustedProxies::parse(&["0.0.0.0/0"]).unwrap().contains(ip("203.0.113.9")));
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0.0/x", "::/129"] {
            assert!(TrustedProxies::parse(&[bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_right_most_untrusted_address_is_the_client() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.1"), &xff("203.0.113.9")), ip("10.0.0.1"), "no proxy trusted");
        let t = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        assert_eq!(t.client(ip("192.0.2.5"), &xff("203.0.113.9")), ip("192.0.2.5"), "untrusted peer");
        assert_eq!(t.client(ip("10.0.0.1"), &xff("203.0.113.9")), ip("203.0.113.9"));
        // A client's forged entry stays to the left of its real address.
        assert_eq!(t.client(ip("10.0.0.1"), &xff("1.2.3.4, 203.0.113.9, 10.0.0.7")), ip("203.0.113.9"));
        assert_eq!(t.client(ip("10.0.0.1"), &xff("10.0.0.3, 10.0.0.2")), ip("10.0.0.3"), "all trusted");
        assert_eq!(t.client(ip("10.0.0.1"), &xff("203.0.113.9, junk")), ip("10.0.0.1"), "malformed");
        assert_eq!(t.client(ip("10.0.0.1"), &xff("203.0.113.9:4711")), ip("203.0.113.9"));
        assert_eq!(t.client(ip("10.0.0.1"), &HeaderMap::new()), ip("10.0.0.1"), "no header");
    }
}
