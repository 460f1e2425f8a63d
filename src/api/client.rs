//! Who the client is, and how much of the server it may hold at once.
//!
//! The client address is the connection's peer, unless the peer is a trusted proxy
//! (`NORMTRACK_TRUSTED_PROXIES`): then it is read from `Forwarded` (RFC 7239) or, without it,
//! `X-Forwarded-For`, right to left, skipping trusted proxies. An untrusted peer's headers are
//! ignored, so nobody can pick their own address to dodge a limit.
//!
//! Every request but the health probes counts against its client while in flight (its body
//! being received included): past `NORMTRACK_MAX_REQUESTS_PER_CLIENT` the answer is 429 at
//! once, so one address cannot hold the server's connections with slow bodies. And every
//! connection counts against its peer address while open: past
//! `NORMTRACK_MAX_CONNECTIONS_PER_CLIENT` a new one is closed as it comes ([`on_connect`]),
//! so one address cannot take the process's file descriptors (trusted proxies excepted: every
//! client behind them shares their address).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use ipnet::IpNet;

use super::AppState;
use crate::error::AppError;

/// The client address of a request, as the middleware found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client address the middleware found for a request (unspecified if it found none).
pub fn client_of(req: &impl HttpMessage) -> IpAddr {
    req.extensions()
        .get::<ClientAddr>()
        .map(|c| c.0)
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The address a request comes from: see the module documentation.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded = forwarded_for(headers, &HeaderName::from_static("forwarded"), parse_forwarded);
    let hops = if forwarded.is_empty() {
        forwarded_for(headers, &HeaderName::from_static("x-forwarded-for"), |value| {
            value.split(',').map(|s| parse_node(s.trim())).collect()
        })
    } else {
        forwarded
    };
    // Right to left: the nearest hop that is not one of our proxies is the client. An entry
    // that cannot be read ("unknown", obfuscated) stops the walk at the proxy that wrote it.
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) if is_trusted(ip) => client = *ip,
            Some(ip) => return *ip,
            None => return client,
        }
    }
    client
}

/// Every hop the named header lists, across repeated headers in order.
fn forwarded_for(
    headers: &HeaderMap,
    name: &HeaderName,
    parse: impl Fn(&str) -> Vec<Option<IpAddr>>,
) -> Vec<Option<IpAddr>> {
    headers
        .get_all(name)
        .flat_map(|value| match value.to_str() {
            Ok(value) => parse(value),
            Err(_) => vec![None],
        })
        .collect()
}

/// The `for=` nodes of a `Forwarded` header value.
fn parse_forwarded(value: &str) -> Vec<Option<IpAddr>> {
    value
        .split(',')
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.trim().split_once('='))
                .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, node)| parse_node(node.trim().trim_matches('"')))
        })
        .collect()
}

/// `192.0.2.60`, `192.0.2.60:4711`, `[2001:db8::17]:4711` or `2001:db8::17`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse() {
        return Some(ip);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    node.rsplit_once(':')
        .and_then(|(ip, port)| port.parse::<u16>().ok().and(ip.parse::<Ipv4Addr>().ok()))
        .map(IpAddr::V4)
}

/// Requests in flight per client address.
#[derive(Debug)]
pub struct InFlight {
    counts: Mutex<HashMap<IpAddr, usize>>,
    max: usize,
}

/// One request's place; given back when dropped.
pub struct Place {
    owner: Arc<InFlight>,
    ip: IpAddr,
}

impl InFlight {
    pub fn new(max: usize) -> Arc<InFlight> {
        Arc::new(InFlight {
            counts: Mutex::new(HashMap::new()),
            max: max.max(1),
        })
    }

    /// A place for one more request of `ip`, or `None` when it has its maximum in flight.
    pub fn enter(self: &Arc<Self>, ip: IpAddr) -> Option<Place> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let count = counts.entry(ip).or_insert(0);
        if *count >= self.max {
            return None;
        }
        *count += 1;
        Some(Place {
            owner: Arc::clone(self),
            ip,
        })
    }

    /// Requests of `ip` in flight now.
    pub fn count(&self, ip: IpAddr) -> usize {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.get(&ip).copied().unwrap_or(0)
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut counts = self.owner.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// Open connections per peer address.
#[derive(Clone)]
pub struct Connections {
    open: Arc<InFlight>,
    trusted: Arc<Vec<IpNet>>,
}

/// A connection's place, held in its extensions and given back when it closes.
pub struct ConnectionPlace(#[allow(dead_code)] Place);

impl Connections {
    pub fn new(max: usize, trusted: Vec<IpNet>) -> Connections {
        Connections {
            open: InFlight::new(max),
            trusted: Arc::new(trusted),
        }
    }
}

/// `HttpServer::on_connect`: counts the new connection against its peer address, or closes it
/// at once when that address has its maximum open.
pub fn on_connect(
    connections: &Connections,
    connection: &dyn std::any::Any,
    data: &mut actix_web::dev::Extensions,
) {
    let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() else {
        return;
    };
    let Ok(peer) = stream.peer_addr() else {
        return;
    };
    let ip = peer.ip();
    if connections.trusted.iter().any(|net| net.contains(&ip)) {
        return;
    }
    match connections.open.enter(ip) {
        Some(place) => {
            data.insert(ConnectionPlace(place));
        }
        None => {
            tracing::warn!(client = %ip, "too many open connections from one address; closing a new one");
            let _ = socket2::SockRef::from(stream).shutdown(std::net::Shutdown::Both);
        }
    }
}

/// The middleware: finds the client address, and admits the request while its client has
/// fewer than the maximum in flight (the health probes always).
pub async fn admit(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await;
    };
    let peer = req.peer_addr().map(|a| a.ip());
    let ip = client_ip(peer, req.headers(), &state.limits.trusted_proxies);
    req.extensions_mut().insert(ClientAddr(ip));
    if matches!(req.path(), "/healthz" | "/readyz") {
        return next.call(req).await;
    }
    let Some(_place) = state.in_flight.enter(ip) else {
        tracing::warn!(client = %ip, "too many requests in flight from one client");
        return Err(AppError::RateLimited {
            retry_after: 1,
            detail: "this client has too many requests in flight; wait for them to finish".into(),
        }
        .into());
    };
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(s: &str) -> Vec<IpNet> {
        crate::config::parse_cidrs("test", s).unwrap()
    }

    #[test]
    fn ignores_forwarding_headers_from_untrusted_peers() {
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=203.0.113.9"),
        ]);
        assert_eq!(client_ip(Some(ip("198.51.100.1")), &h, &[]), ip("198.51.100.1"));
        assert_eq!(
            client_ip(Some(ip("198.51.100.1")), &h, &nets("10.0.0.0/8")),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn reads_the_client_behind_trusted_proxies_right_to_left() {
        let trusted = nets("10.0.0.0/8");
        // A client may send its own X-Forwarded-For; only what our proxies added counts.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.2")]);
        assert_eq!(client_ip(Some(ip("10.0.0.1")), &h, &trusted), ip("203.0.113.9"));
        let h = headers(&[(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8::17]:4711\";proto=https",
        )]);
        assert_eq!(client_ip(Some(ip("10.0.0.1")), &h, &trusted), ip("2001:db8::17"));
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(client_ip(Some(ip("10.0.0.1")), &h, &trusted), ip("10.0.0.1"));
        let h = headers(&[("x-forwarded-for", "203.0.113.9:5555")]);
        assert_eq!(client_ip(Some(ip("10.0.0.1")), &h, &trusted), ip("203.0.113.9"));
        assert_eq!(
            client_ip(Some(ip("10.0.0.1")), &HeaderMap::new(), &trusted),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn admits_up_to_the_maximum_per_client_and_frees_places() {
        let in_flight = InFlight::new(2);
        let a = in_flight.enter(ip("192.0.2.1")).expect("first");
        let _b = in_flight.enter(ip("192.0.2.1")).expect("second");
        assert!(in_flight.enter(ip("192.0.2.1")).is_none());
        assert!(in_flight.enter(ip("192.0.2.2")).is_some(), "another client");
        drop(a);
        assert_eq!(in_flight.count(ip("192.0.2.1")), 1);
        assert!(in_flight.enter(ip("192.0.2.1")).is_some());
    }
}
