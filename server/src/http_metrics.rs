//! Request metrics for `/metrics`: every HTTP request counted by route (the matched pattern, so
//! `/incidents/{id}` is one series), method and status, with a latency histogram; and the one
//! histogram type the AWS call counters use too.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Upper bounds of the latency buckets, in seconds (`+Inf` is implied).
pub const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A Prometheus histogram: non-cumulative counts per bucket, plus sum and count.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Histogram {
    buckets: [u64; BUCKETS.len()],
    pub sum: f64,
    pub count: u64,
}

impl Histogram {
    pub fn observe(&mut self, seconds: f64) {
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            self.buckets[i] += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }

    /// The `_bucket`, `_sum` and `_count` samples of `name` with `labels` (already rendered,
    /// `key="value",…`, possibly empty).
    pub fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut running = 0;
        for (bound, n) in BUCKETS.iter().zip(self.buckets) {
            running += n;
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {running}"
            );
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let _ = writeln!(out, "{name}_sum{{{labels}}} {:.6}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

/// Requests by (route, method, status).
#[derive(Debug, Default)]
pub struct HttpStats {
    series: Mutex<BTreeMap<(String, String, u16), Histogram>>,
}

impl HttpStats {
    pub fn snapshot(&self) -> BTreeMap<(String, String, u16), Histogram> {
        self.series.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn observe(&self, key: (String, String, u16), seconds: f64) {
        if let Ok(mut series) = self.series.lock() {
            series.entry(key).or_default().observe(seconds);
        }
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
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    stats.observe(
        (route, method, response.status().as_u16()),
        started.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_render_cumulative_buckets() {
        let mut h = Histogram::default();
        for s in [0.0005, 0.02, 0.02, 3.0, 60.0] {
            h.observe(s);
        }
        let mut out = String::new();
        h.render(&mut out, "x_seconds", "route=\"/\"");
        assert!(out.contains("x_seconds_bucket{route=\"/\",le=\"0.001\"} 1\n"));
        assert!(out.contains("x_seconds_bucket{route=\"/\",le=\"0.025\"} 3\n"));
        assert!(out.contains("x_seconds_bucket{route=\"/\",le=\"5\"} 4\n"));
        assert!(out.contains("x_seconds_bucket{route=\"/\",le=\"+Inf\"} 5\n"));
        assert!(out.contains("x_seconds_count{route=\"/\"} 5\n"));
    }
}
