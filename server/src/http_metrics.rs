//! Request metrics for `/metrics`: every HTTP request counted by route (the matched pattern, so
//! `/incidents/{id}` is one series), method (one of a fixed set, so made-up methods add no
//! series) and status, with a latency histogram; and the latency buckets the AWS call histograms
//! use too. `prometheus-client` keeps the series and writes them.

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds (`+Inf` is implied).
pub const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A latency histogram per label set, over [`BUCKETS`].
pub type LatencyFamily<L> = Family<L, Histogram, fn() -> Histogram>;

pub fn latency_family<L: Clone + Hash + Eq>() -> LatencyFamily<L> {
    Family::new_with_constructor(|| Histogram::new(BUCKETS))
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: &'static str,
    status: u16,
}

/// The method as a label: the methods the console knows by name, every other one (a client may
/// send any token as a method) as `other`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Requests by (route, method, status).
#[derive(Debug)]
pub struct HttpStats {
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily<RequestLabels>,
}

impl Default for HttpStats {
    fn default() -> Self {
        Self {
            requests: Family::default(),
            latency: latency_family(),
        }
    }
}

impl HttpStats {
    /// Adds the request families to a scrape's registry.
    pub fn register(&self, registry: &mut Registry) {
        // The registry appends `_total` to counters and a full stop to help texts.
        registry.register(
            "quarterdeck_http_requests",
            "HTTP requests by route, method and status",
            self.requests.clone(),
        );
        registry.register(
            "quarterdeck_http_request_duration_seconds",
            "HTTP request latency by route, method and status",
            self.latency.clone(),
        );
    }

    fn observe(&self, labels: RequestLabels, seconds: f64) {
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(seconds);
    }
}

/// Times each request. Requests no route matched (static files, unknown paths) count under
/// `unmatched`, so a scan of random paths cannot grow the series without bound.
pub async fn track(State(stats): State<Arc<HttpStats>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    stats.observe(
        RequestLabels {
            route,
            method,
            status: response.status().as_u16(),
        },
        started.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::encoding::prometheus_text;

    #[test]
    fn methods_outside_the_known_set_share_one_label() {
        let cases = [
            ("GET", "GET"),
            ("HEAD", "HEAD"),
            ("POST", "POST"),
            ("PUT", "PUT"),
            ("DELETE", "DELETE"),
            ("PATCH", "PATCH"),
            ("OPTIONS", "OPTIONS"),
            ("TRACE", "other"),
            ("CONNECT", "other"),
            ("get", "other"),
            ("PROPFIND", "other"),
            ("X-RANDOM-4711", "other"),
        ];
        for (method, label) in cases {
            let method = Method::from_bytes(method.as_bytes()).expect("a method token");
            assert_eq!(method_label(&method), label, "{method}");
        }
    }

    #[test]
    fn histograms_render_cumulative_buckets() {
        let family: LatencyFamily<[(&'static str, &'static str); 1]> = latency_family();
        for s in [0.0005, 0.02, 0.02, 3.0, 60.0] {
            family.get_or_create(&[("route", "/")]).observe(s);
        }
        let mut registry = Registry::default();
        registry.register("x_seconds", "x", family);
        let mut out = String::new();
        prometheus_text::encode(&mut out, &registry).expect("encode");
        assert!(out.contains("x_seconds_bucket{route=\"/\",le=\"0.001\"} 1\n"));
        assert!(out.contains("x_seconds_bucket{route=\"/\",le=\"0.025\"} 3\n"));
        assert!(out.contains("x_seconds_bucket{route=\"/\",le=\"5\"} 4\n"));
        assert!(out.contains("x_seconds_bucket{route=\"/\",le=\"+Inf\"} 5\n"));
        assert!(out.contains("x_seconds_count{route=\"/\"} 5\n"));
    }
}
