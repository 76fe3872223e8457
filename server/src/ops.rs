//! Operability endpoints: `/healthz` (the process answers), `/readyz` (database reachable and
//! migrated; AWS freshness reported but not fatal; names what is not ready, never why — the why
//! is in the log), `/metrics` (Prometheus text 0.0.4, written by `prometheus-client`: AWS calls
//! and their latency, HTTP requests and their latency, inventory age, the jobs lease, the poller,
//! webhook deliveries and the outbox), served only to whom `server.metrics_*` allows.

use crate::config::MetricsAccess;
use crate::state::AppState;
use app::domain::inventory::{freshness, Freshness};
use app::domain::outbox::{tallies_for, DeliveryState, WebhookTally};
use app::ports::OutboxPort;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Utc;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    prometheus_text, DescriptorEncoder, EncodeGaugeValue, EncodeMetric,
};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::atomic::Ordering;

pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

/// Readiness for load balancers and anyone else who asks, signed in or not: whether the
/// database answers and how fresh each environment's data is, by name only. The reasons (an
/// SDK error naming a role ARN, an account or an endpoint; the database driver's error) stay in
/// the log and, for an environment, on its page for those who may view it.
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
                // When the details (metrics, tasks, queues, functions) were last read.
                "details_at": s.details.as_ref().and_then(|d| d.fetched_at),
                "reduced": s.status.reduced.iter().map(|r| r.api.as_str()).collect::<Vec<_>>(),
                // Which sections of the last refresh failed, by name only (the errors name
                // accounts and ARNs: they are on the environment's page for people signed in).
                "failed_sections": s
                    .status
                    .failed_sections
                    .iter()
                    .map(|f| f.section.label())
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    match crate::store::ready(&state.pool).await {
        Ok(()) => (
            StatusCode::OK,
            Json(serde_json::json!({ "ready": true, "database": "ok", "environments": envs })),
        ),
        Err(problem) => {
            let database = match problem {
                crate::store::StoreError::Unmigrated { .. } => "not migrated",
                _ => "unavailable",
            };
            let problem = app::error::error_chain(&problem);
            tracing::warn!(%problem, "not ready: the database");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({
                    "ready": false,
                    "database": database,
                    "environments": envs,
                })),
            )
        }
    }
}

/// `/metrics` on the main address: with a token configured, for its bearer; with only
/// `server.metrics_listen`, not here (404); with neither, for loopback clients whose request no
/// proxy relayed.
pub async fn metrics(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Response {
    let peer = connect.map(|c| c.0 .0);
    match state.settings.server.metrics_access() {
        MetricsAccess::Token(token) => {
            if let Some(refused) = refuse_without_token(token.expose(), &headers) {
                return refused;
            }
        }
        MetricsAccess::OwnAddress(addr) => {
            tracing::debug!(%addr, "/metrics asked for on the main address");
            return (
                StatusCode::NOT_FOUND,
                "/metrics is served on server.metrics_listen\n",
            )
                .into_response();
        }
        MetricsAccess::Loopback => {
            if !is_local_unrelayed(peer, &headers) {
                tracing::warn!(peer = ?peer, "/metrics refused: not a loopback client");
                return (
                    StatusCode::FORBIDDEN,
                    "/metrics answers loopback clients only; set server.metrics_token_env, \
                     server.metrics_token_file or server.metrics_listen to scrape it from elsewhere\n",
                )
                    .into_response();
            }
        }
    }
    render_metrics(&state).await
}

/// `/metrics` on `server.metrics_listen`: anyone who reaches that address, or the token's
/// bearer when a token is configured too.
pub async fn metrics_on_own_address(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.settings.server.metrics_token {
        if let Some(refused) = refuse_without_token(token.expose(), &headers) {
            return refused;
        }
    }
    render_metrics(&state).await
}

/// `Some(401)` unless the request carries `Authorization: Bearer <token>`. The digests are
/// compared, so the time taken says nothing about how much of a guess was right.
fn refuse_without_token(token: &str, headers: &HeaderMap) -> Option<Response> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let matches = given
        .is_some_and(|given| Sha256::digest(given.as_bytes()) == Sha256::digest(token.as_bytes()));
    if matches {
        return None;
    }
    tracing::warn!("/metrics refused: no valid bearer token");
    Some(
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
            "/metrics needs the metrics token as a bearer token\n",
        )
            .into_response(),
    )
}

/// The client is on this host and no proxy relayed the request: a reverse proxy on the same host
/// connects from loopback too, but says so in a forwarding header.
fn is_local_unrelayed(peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
    let relayed = headers.keys().any(|name| {
        let name = name.as_str();
        name == "forwarded" || name == "x-real-ip" || name.starts_with("x-forwarded-")
    });
    peer.is_some_and(|p| p.ip().is_loopback()) && !relayed
}

async fn render_metrics(state: &AppState) -> Response {
    // The outbox is counted in the database, so every replica reports the same rows; when the
    // database does not answer, the outbox families are left out of this scrape.
    let outbox = match OutboxPort::tallies(state.outbox.as_ref()).await {
        Ok(counted) => Some(tallies_for(state.outbox.names(), counted)),
        Err(e) => {
            let chain = app::error::error_chain(&e);
            tracing::warn!(error = %chain, "/metrics: counting the webhook outbox");
            None
        }
    };
    let mut registry = Registry::default();
    state.call_stats.register(&mut registry);
    state.http_stats.register(&mut registry);
    registry.register_collector(Box::new(ScrapeTime(state.clone(), outbox)));
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
/// as plain atomics by their owners), the webhook outbox's rows (counted in the database just
/// before), inventory and details age, failing refreshes, the jobs lease, poller lag. Help texts
/// here are written whole (the registry adds no full stop).
struct ScrapeTime(AppState, Option<Vec<WebhookTally>>);

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
        let hooks = &state.outbox.stats;
        let mut deliveries = encoder.encode_descriptor(
            "quarterdeck_webhook_deliveries",
            "Webhook delivery attempts this process made, by outcome (retried: failed, to be tried again).",
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
        if let Some(tallies) = &self.1 {
            let mut notices = encoder.encode_descriptor(
                "quarterdeck_webhook_outbox_notices",
                "Notices in the webhook outbox by webhook and state.",
                None,
                MetricType::Gauge,
            )?;
            for t in tallies {
                for (state, n) in [
                    (DeliveryState::Pending, t.pending),
                    (DeliveryState::Delivered, t.delivered),
                    (DeliveryState::GivenUp, t.given_up),
                ] {
                    let n = i64::try_from(n).unwrap_or(i64::MAX);
                    notices
                        .encode_family(&[
                            ("webhook", t.webhook.as_str()),
                            ("state", state.as_str()),
                        ])?
                        .encode_gauge(&n)?;
                }
            }
            let mut oldest = encoder.encode_descriptor(
                "quarterdeck_webhook_outbox_oldest_pending_seconds",
                "Age of the oldest notice still waiting for delivery, per webhook.",
                None,
                MetricType::Gauge,
            )?;
            for t in tallies {
                if let Some(at) = t.oldest_pending_at {
                    let age = (now - at).num_milliseconds() as f64 / 1000.0;
                    oldest
                        .encode_family(&[("webhook", t.webhook.as_str())])?
                        .encode_gauge(&age)?;
                }
            }
        }
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
