//! Operability endpoints: `/healthz` (the process answers), `/readyz` (database reachable and
//! migrated; AWS freshness reported but not fatal), `/metrics` (Prometheus text 0.0.4, written by
//! `prometheus-client`: AWS calls and their latency, HTTP requests and their latency, inventory
//! age, the jobs lease, the poller, webhook deliveries).

use crate::state::AppState;
use app::domain::inventory::{freshness, Freshness};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    prometheus_text, DescriptorEncoder, EncodeGaugeValue, EncodeMetric,
};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use std::sync::atomic::Ordering;

pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let now = Utc::now();
    let envs: Vec<serde_json::Value> = state
        .inventory
        .slots()
        .iter()
        .map(|slot| {
            let s = slot.state();
            let fresh = freshness(&s.status, s.descriptor.refresh_interval_secs, now);
            serde_json::json!({
                "env": s.descriptor.id,
                "freshness": format!("{fresh:?}").to_lowercase(),
                "last_success": s.status.last_success,
                "error": s.status.error.map(|e| e.message),
            })
        })
        .collect();
    match crate::store::ready(&state.pool).await {
        Ok(()) => (
            StatusCode::OK,
            Json(serde_json::json!({ "ready": true, "database": "ok", "environments": envs })),
        ),
        Err(problem) => {
            let problem = app::error::error_chain(&problem);
            tracing::warn!(%problem, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    serde_json::json!({ "ready": false, "database": problem, "environments": envs }),
                ),
            )
        }
    }
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut registry = Registry::default();
    state.call_stats.register(&mut registry);
    state.http_stats.register(&mut registry);
    registry.register_collector(Box::new(ScrapeTime(state.clone())));
    let mut out = String::new();
    match prometheus_text::encode(&mut out, &registry) {
        Ok(()) => ([(header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE)], out).into_response(),
        Err(problem) => {
            tracing::error!(%problem, "encoding /metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// What `/metrics` works out when it is read: webhook deliveries and the poller's rounds (kept
/// as plain atomics by their owners), inventory and details age, failing refreshes, the jobs
/// lease, poller lag. Help texts here are written whole (the registry adds no full stop).
struct ScrapeTime(AppState);

impl std::fmt::Debug for ScrapeTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScrapeTime")
    }
}

/// One gauge sample per environment.
fn per_env<N: EncodeGaugeValue>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    samples: &[(&str, N)],
) -> std::fmt::Result {
    let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
    for (env, value) in samples {
        metric
            .encode_family(&[("env", *env)])?
            .encode_gauge(value)?;
    }
    Ok(())
}

impl Collector for ScrapeTime {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        let state = &self.0;
        let hooks = &state.notifier.stats;
        let mut deliveries = encoder.encode_descriptor(
            "quarterdeck_webhook_deliveries",
            "Webhook delivery attempts by outcome.",
            None,
            MetricType::Counter,
        )?;
        for (outcome, n) in [
            ("delivered", &hooks.delivered),
            ("retried", &hooks.retried),
            ("given_up", &hooks.given_up),
        ] {
            ConstCounter::new(n.load(Ordering::SeqCst))
                .encode(deliveries.encode_family(&[("outcome", outcome)])?)?;
        }
        let now = Utc::now();
        let states: Vec<_> = state.inventory.slots().iter().map(|s| s.state()).collect();
        let age = |at: chrono::DateTime<Utc>| (now - at).num_milliseconds() as f64 / 1000.0;
        let inventory_age: Vec<(&str, f64)> = states
            .iter()
            .filter_map(|s| Some((s.descriptor.id.as_str(), age(s.status.last_success?))))
            .collect();
        per_env(
            &mut encoder,
            "quarterdeck_inventory_age_seconds",
            "Age of the last good inventory per environment.",
            &inventory_age,
        )?;
        let details_age: Vec<(&str, f64)> = states
            .iter()
            .filter_map(|s| {
                let at = s.details.as_ref()?.fetched_at?;
                Some((s.descriptor.id.as_str(), age(at)))
            })
            .collect();
        per_env(
            &mut encoder,
            "quarterdeck_details_age_seconds",
            "Age of the last metric series, tasks and revisions per environment.",
            &details_age,
        )?;
        let failing: Vec<(&str, i64)> = states
            .iter()
            .map(|s| {
                let fresh = freshness(&s.status, s.descriptor.refresh_interval_secs, now);
                (
                    s.descriptor.id.as_str(),
                    i64::from(fresh == Freshness::Failing),
                )
            })
            .collect();
        per_env(
            &mut encoder,
            "quarterdeck_inventory_failing",
            "Whether the last refresh of an environment failed.",
            &failing,
        )?;
        encoder
            .encode_descriptor(
                "quarterdeck_jobs_leader",
                "Whether this process holds the jobs lease (runs the poller and the release sweep).",
                None,
                MetricType::Gauge,
            )?
            .encode_gauge(&i64::from(state.lease.is_held()))?;
        let polls = &state.poller_stats;
        for (name, help, value) in [
            (
                "quarterdeck_alarm_poll_rounds",
                "Completed alarm poller rounds.",
                &polls.rounds,
            ),
            (
                "quarterdeck_alarm_poll_failures",
                "Environment polls that failed.",
                &polls.failures,
            ),
        ] {
            ConstCounter::new(value.load(Ordering::SeqCst)).encode(encoder.encode_descriptor(
                name,
                help,
                None,
                MetricType::Counter,
            )?)?;
        }
        let last = polls.last_round_ms.load(Ordering::SeqCst);
        if last > 0 {
            encoder
                .encode_descriptor(
                    "quarterdeck_alarm_poll_age_seconds",
                    "Time since the last completed alarm poller round (poller lag).",
                    None,
                    MetricType::Gauge,
                )?
                .encode_gauge(&((now.timestamp_millis() - last) as f64 / 1000.0))?;
        }
        Ok(())
    }
}
