//! The logs routes that are not pages: the download of a range (`…/logs.txt`) and following
//! the logs (`…/logs/follow`, server-sent events), of a service
//! (`/envs/{env}/services/{cluster}/{service}`) or of a scheduled job's runs
//! (`/envs/{env}/jobs/rule/{name}`, `/envs/{env}/jobs/schedule/{group}/{name}`). All go through
//! `usecases::logs`, which checks the environment's logs role and audits the read.
//!
//! Following is shared: the streams of one log group, stream set and filter watch one poller
//! (`follow_hub.rs`).

use crate::state::AppState;
use app::domain::caller::Caller;
use app::domain::logs::{lines, LogEvent, LogOrder, LogParams};
use app::domain::policy::Principal;
use app::domain::scheduled_jobs::route_job_key;
use app::domain::views::logs::LogSubject;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::Utc;
use futures::Stream;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// What a follow stream carries from one event to the next.
struct Watch {
    rx: broadcast::Receiver<Arc<Vec<LogEvent>>>,
    state: AppState,
    session: Option<tower_sessions::session::Id>,
    check: tokio::time::Interval,
}

fn caller(
    user: Principal,
    headers: &HeaderMap,
    ip: Option<&app::ssr::client_ip::ClientIp>,
) -> Caller {
    Caller::page(
        user,
        ip.map(|c| c.0.to_string()),
        headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    )
}

/// The environment and the service or job a logs route names, from its path parameters
/// (`env` with `cluster` and `service`, `name`, or `group` and `name`).
fn subject_of(params: &HashMap<String, String>) -> Option<(String, LogSubject)> {
    let get = |k: &str| params.get(k).cloned();
    let subject = match (get("cluster"), get("service"), get("name")) {
        (Some(cluster), Some(service), _) => LogSubject::Service { cluster, service },
        (_, _, Some(name)) => LogSubject::Job {
            key: route_job_key(params.get("group").map(String::as_str), &name),
        },
        _ => return None,
    };
    Some((get("env")?, subject))
}

/// A route this module serves that names no service or job: a routing mistake, not a request's.
fn unrouted() -> Response {
    (
        axum::http::StatusCode::NOT_FOUND,
        "this address names no service or scheduled job",
    )
        .into_response()
}

/// `…/logs/follow`: the new lines of a service's or a job's logs as they come, one `lines`
/// event (a JSON array of lines, oldest first) per read that found some. Refused before it
/// starts when the person may not read the logs or the address is not valid.
pub async fn follow(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ip: Option<Extension<app::ssr::client_ip::ClientIp>>,
    headers: HeaderMap,
    session: tower_sessions::Session,
    Path(path): Path<HashMap<String, String>>,
    Query(params): Query<LogParams>,
) -> Response {
    let Some((env, subject)) = subject_of(&path) else {
        return unrouted();
    };
    let caller = caller(user, &headers, ip.as_ref().map(|e| &e.0));
    let services = state.services();
    let key =
        match app::usecases::logs::follow(&caller, &services, &env, &subject, &params, Utc::now())
            .await
        {
            Ok(key) => key,
            Err(e) => return (e.status(), e.to_string()).into_response(),
        };
    let timeout = services
        .inventory
        .state(&key.env)
        .map_or(20, |s| s.descriptor.logs.query_timeout_secs);
    let rx = state
        .follow_hub
        .subscribe(&key, services.logs.clone(), timeout);
    let ready = futures::stream::once(async { Ok(Event::default().event("ready").data("{}")) });
    let every = crate::live::SESSION_CHECK_EVERY;
    let watch = Watch {
        rx,
        state: state.clone(),
        session: session.id(),
        check: tokio::time::interval_at(tokio::time::Instant::now() + every, every),
    };
    // Ends with the session (signed out, ended, idle, past its lifetime), as `/events` does.
    let lines = futures::stream::unfold(watch, |mut w| async move {
        loop {
            tokio::select! {
                received = w.rx.recv() => match received {
                    Ok(events) => {
                        let shown = lines(&events, LogOrder::Oldest);
                        let data = serde_json::to_string(&shown).unwrap_or_default();
                        return Some((Ok::<_, Infallible>(Event::default().event("lines").data(data)), w));
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = w.check.tick() => {
                    if !crate::live::session_stands(&w.state, w.session).await {
                        return None;
                    }
                }
            }
        }
    });
    let stream: std::pin::Pin<Box<dyn Stream<Item = Result<Event, Infallible>> + Send>> =
        Box::pin(futures::StreamExt::chain(ready, lines));
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// `…/logs.txt`: the range as text, oldest first, as a download.
pub async fn download(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ip: Option<Extension<app::ssr::client_ip::ClientIp>>,
    headers: HeaderMap,
    Path(path): Path<HashMap<String, String>>,
    Query(params): Query<LogParams>,
) -> Response {
    let Some((env, subject)) = subject_of(&path) else {
        return unrouted();
    };
    let caller = caller(user, &headers, ip.as_ref().map(|e| &e.0));
    let services = state.services();
    match app::usecases::logs::download(&caller, &services, &env, &subject, &params, Utc::now())
        .await
    {
        Ok((name, body)) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/plain; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => (e.status(), e.to_string()).into_response(),
    }
}
