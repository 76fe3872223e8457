//! Who the client is behind a load balancer: `X-Forwarded-For` is read only when the connection
//! comes from a configured trusted proxy (`server.trusted_proxies`), and then the client is the
//! right-most address in it that is not itself a trusted proxy — the left-hand entries are
//! whatever the client chose to send. The middleware works it out once per request and puts it
//! into the request extensions as [`ClientIp`] for the throttles and the audit log.

use app::ssr::client_ip::ClientIp;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The parsed `server.trusted_proxies`.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<Vec<IpNet>>);

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// The client's address: `peer` itself unless it is trusted; then, walking `X-Forwarded-For`
/// from the right, the first address that is not trusted. An entry that is not an address stops
/// the walk at the last trusted hop, so garbage never becomes the client.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.trusts(peer) {
        return peer;
    }
    // Several header lines count as one list, in order.
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("").split(','))
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Some(hop) = parse_hop(entry) else {
            break;
        };
        client = hop;
        if !trusted.trusts(hop) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`192.0.2.1:4711`,
/// `[2001:db8::1]:4711`).
fn parse_hop(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// Puts the request's [`ClientIp`] into its extensions (nothing without a peer address, as in
/// tests that call the router directly).
pub async fn resolve(
    State(trusted): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let client = client_address(peer, request.headers(), &trusted);
        request.extensions_mut().insert(ClientIp(client));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn trusted(nets: &[&str]) -> TrustedProxies {
        TrustedProxies(Arc::new(nets.iter().map(|n| n.parse().unwrap()).collect()))
    }

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for line in lines {
            map.append("x-forwarded-for", line.parse().unwrap());
        }
        map
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let lb = &["10.0.0.0/8"];
        // trusted networks, peer, X-Forwarded-For lines, client
        let cases: &[(&[&str], &str, &[&str], &str)] = &[
            (&[], "10.0.0.5", &["203.0.113.9"], "10.0.0.5"),
            (lb, "198.51.100.7", &["203.0.113.9"], "198.51.100.7"),
            (lb, "10.0.0.5", &[], "10.0.0.5"),
            (lb, "10.0.0.5", &["203.0.113.9"], "203.0.113.9"),
            // The client put a forged entry first; the balancer appended the real one.
            (lb, "10.0.0.5", &["1.1.1.1, 203.0.113.9"], "203.0.113.9"),
            (lb, "10.0.0.5", &["1.1.1.1", "203.0.113.9"], "203.0.113.9"),
            // Two proxies of ours in a row.
            (lb, "10.0.0.5", &["203.0.113.9, 10.1.1.1"], "203.0.113.9"),
            (lb, "10.0.0.5", &["10.2.2.2, 10.1.1.1"], "10.2.2.2"),
            // Garbage stops the walk at the last trusted hop.
            (lb, "10.0.0.5", &["203.0.113.9, nonsense"], "10.0.0.5"),
            (lb, "10.0.0.5", &["nonsense, 10.1.1.1"], "10.1.1.1"),
            (lb, "10.0.0.5", &[" 203.0.113.9:4711 "], "203.0.113.9"),
            (lb, "10.0.0.5", &["[2001:db8::1]:4711"], "2001:db8::1"),
            (lb, "::ffff:10.0.0.5", &["203.0.113.9"], "203.0.113.9"),
        ];
        for (nets, peer, lines, client) in cases {
            assert_eq!(
                client_address(ip(peer), &headers(lines), &trusted(nets)),
                ip(client),
                "{nets:?} {peer} {lines:?}"
            );
        }
    }
}
