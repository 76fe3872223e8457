//! Operability endpoints: `/healthz` (the process answers), `/readyz` (database reachable and
//! migrated; AWS freshness reported but not fatal), `/metrics` (Prometheus text: AWS calls and
//! their latency, HTTP requests and their latency, inventory age, the jobs lease, the poller,
//! webhook deliveries).

use crate::aws::call_stats::CallTotals;
use crate::state::AppState;
use app::domain::inventory::{freshness, Freshness};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use chrono::Utc;
use std::fmt::Write;
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

fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = String::new();
    let stats = state.call_stats.snapshot();
    type Value = fn(&CallTotals) -> String;
    let families: [(&str, &str, &str, Value); 4] = [
        (
            "quarterdeck_aws_calls_total",
            "AWS API call attempts.",
            "counter",
            |t| t.attempts.to_string(),
        ),
        (
            "quarterdeck_aws_call_errors_total",
            "AWS API calls that ended in an error.",
            "counter",
            |t| t.errors.to_string(),
        ),
        (
            "quarterdeck_aws_call_throttles_total",
            "AWS API calls throttled.",
            "counter",
            |t| t.throttles.to_string(),
        ),
        (
            "quarterdeck_aws_call_seconds_total",
            "Time spent in AWS API calls.",
            "counter",
            |t| format!("{:.6}", t.seconds),
        ),
    ];
    for (name, help, kind, value) in families {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (k, t) in &stats {
            let _ = writeln!(
                out,
                "{name}{{env=\"{}\",service=\"{}\",operation=\"{}\",purpose=\"{}\"}} {}",
                label(&k.env),
                label(&k.service),
                label(&k.operation),
                k.purpose.as_str(),
                value(t)
            );
        }
    }
    let _ = writeln!(out, "# HELP quarterdeck_aws_call_duration_seconds Latency of AWS API call attempts.\n# TYPE quarterdeck_aws_call_duration_seconds histogram");
    for (k, t) in &stats {
        let labels = format!(
            "env=\"{}\",service=\"{}\",operation=\"{}\",purpose=\"{}\"",
            label(&k.env),
            label(&k.service),
            label(&k.operation),
            k.purpose.as_str()
        );
        t.latency
            .render(&mut out, "quarterdeck_aws_call_duration_seconds", &labels);
    }
    let http = state.http_stats.snapshot();
    let _ = writeln!(out, "# HELP quarterdeck_http_requests_total HTTP requests by route, method and status.\n# TYPE quarterdeck_http_requests_total counter");
    for ((route, method, status), h) in &http {
        let _ = writeln!(
            out,
            "quarterdeck_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {}",
            label(route),
            label(method),
            h.count
        );
    }
    let _ = writeln!(out, "# HELP quarterdeck_http_request_duration_seconds HTTP request latency by route, method and status.\n# TYPE quarterdeck_http_request_duration_seconds histogram");
    for ((route, method, status), h) in &http {
        let labels = format!(
            "route=\"{}\",method=\"{}\",status=\"{status}\"",
            label(route),
            label(method)
        );
        h.render(
            &mut out,
            "quarterdeck_http_request_duration_seconds",
            &labels,
        );
    }
    let hooks = &state.notifier.stats;
    let _ = writeln!(out, "# HELP quarterdeck_webhook_deliveries_total Webhook delivery attempts by outcome.\n# TYPE quarterdeck_webhook_deliveries_total counter");
    for (outcome, n) in [
        ("delivered", &hooks.delivered),
        ("retried", &hooks.retried),
        ("given_up", &hooks.given_up),
    ] {
        let _ = writeln!(
            out,
            "quarterdeck_webhook_deliveries_total{{outcome=\"{outcome}\"}} {}",
            n.load(Ordering::SeqCst)
        );
    }
    let now = Utc::now();
    let states: Vec<_> = state.inventory.slots().iter().map(|s| s.state()).collect();
    // Each family's samples follow its own HELP and TYPE lines, as the text format wants.
    let _ = writeln!(out, "# HELP quarterdeck_inventory_age_seconds Age of the last good inventory per environment.\n# TYPE quarterdeck_inventory_age_seconds gauge");
    for s in &states {
        if let Some(at) = s.status.last_success {
            let _ = writeln!(
                out,
                "quarterdeck_inventory_age_seconds{{env=\"{}\"}} {}",
                label(s.descriptor.id.as_str()),
                (now - at).num_milliseconds() as f64 / 1000.0
            );
        }
    }
    let _ = writeln!(out, "# HELP quarterdeck_details_age_seconds Age of the last metric series, tasks and revisions per environment.\n# TYPE quarterdeck_details_age_seconds gauge");
    for s in &states {
        if let Some(at) = s.details.as_ref().and_then(|d| d.fetched_at) {
            let _ = writeln!(
                out,
                "quarterdeck_details_age_seconds{{env=\"{}\"}} {}",
                label(s.descriptor.id.as_str()),
                (now - at).num_milliseconds() as f64 / 1000.0
            );
        }
    }
    let _ = writeln!(out, "# HELP quarterdeck_inventory_failing Whether the last refresh of an environment failed.\n# TYPE quarterdeck_inventory_failing gauge");
    for s in &states {
        let failing =
            freshness(&s.status, s.descriptor.refresh_interval_secs, now) == Freshness::Failing;
        let _ = writeln!(
            out,
            "quarterdeck_inventory_failing{{env=\"{}\"}} {}",
            label(s.descriptor.id.as_str()),
            u8::from(failing)
        );
    }
    let _ = writeln!(out, "# HELP quarterdeck_jobs_leader Whether this process holds the jobs lease (runs the poller and the release sweep).\n# TYPE quarterdeck_jobs_leader gauge\nquarterdeck_jobs_leader {}", u8::from(state.lease.is_held()));
    let polls = &state.poller_stats;
    let _ = writeln!(out, "# HELP quarterdeck_alarm_poll_rounds_total Completed alarm poller rounds.\n# TYPE quarterdeck_alarm_poll_rounds_total counter\nquarterdeck_alarm_poll_rounds_total {}", polls.rounds.load(Ordering::SeqCst));
    let _ = writeln!(out, "# HELP quarterdeck_alarm_poll_failures_total Environment polls that failed.\n# TYPE quarterdeck_alarm_poll_failures_total counter\nquarterdeck_alarm_poll_failures_total {}", polls.failures.load(Ordering::SeqCst));
    let last = polls.last_round_ms.load(Ordering::SeqCst);
    if last > 0 {
        let _ = writeln!(out, "# HELP quarterdeck_alarm_poll_age_seconds Time since the last completed alarm poller round (poller lag).\n# TYPE quarterdeck_alarm_poll_age_seconds gauge\nquarterdeck_alarm_poll_age_seconds {}", (now.timestamp_millis() - last) as f64 / 1000.0);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}
