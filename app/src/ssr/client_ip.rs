//! The client's address as the server worked it out once per request: the connection's peer, or,
//! when the peer is a trusted proxy, the right-most untrusted address of `X-Forwarded-For`. The
//! server's middleware puts it into the request extensions; sign-in throttles, the API token
//! throttle and every audit row read it from there.

use std::net::IpAddr;

/// The client's address of this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);
