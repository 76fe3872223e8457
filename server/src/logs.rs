//! The logs routes that are not pages: the download of a range
//! (`/envs/{env}/services/{cluster}/{service}/logs.txt`) and following a service's logs
//! (`…/logs/follow`, server-sent events). Both go through `usecases::logs`, which checks the
//! environment's logs role and audits the read.
//!
//! Following is shared: the streams of one service, task and filter watch one poller
//! (`follow_hub.rs`).

use crate::state::AppState;
use app::domain::caller::Caller;
use app::domain::logs::{lines, LogEvent, LogOrder, LogParams};
use app::domain::policy::Principal;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::Utc;
use futures::Stream;
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

/// `…/logs/follow`: the new lines of a service's logs as they come, one `lines` event (a JSON
/// array of lines, oldest first) per read that found some. Refused before it starts when the
/// person may not read the logs or the address is not valid.
pub async fn follow(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    ip: Option<Extension<app::ssr::client_ip::ClientIp>>,
    headers: HeaderMap,
    session: tower_sessions::Session,
    Path((env, cluster, service)): Path<(String, String, String)>,
    Query(params): Query<LogParams>,
) -> Response {
    let caller = caller(user, &headers, ip.as_ref().map(|e| &e.0));
    let services = state.services();
    let key = match app::usecases::logs::follow(
        &caller,
        &services,
        &env,
        &cluster,
        &service,
        &params,
        Utc::now(),
    )
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
    Path((env, cluster, service)): Path<(String, String, String)>,
    Query(params): Query<LogParams>,
) -> Response {
    let caller = caller(user, &headers, ip.as_ref().map(|e| &e.0));
    let services = state.services();
    match app::usecases::logs::download(
        &caller,
        &services,
        &env,
        &cluster,
        &service,
        &params,
        Utc::now(),
    )
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
