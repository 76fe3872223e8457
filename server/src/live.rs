//! `/events`: the live-update stream (server-sent events). Each signed-in browser gets the
//! changes of the environments it may view: incidents, snapshots, release requests. The stream
//! starts with a `ready` event and keeps the connection alive with comments. It ends when its
//! session does — signed out, ended by an admin, idle or past its lifetime — which it checks
//! every few seconds.

use crate::auth::sessions::signed_in_user;
use crate::state::AppState;
use app::domain::ids::EnvId;
use app::domain::policy::{authorize, Action, Principal};
use app::domain::sessions::judge;
use app::usecases::live::LiveEvent;
use axum::extract::{Extension, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::broadcast::Receiver;
use tower_sessions::session::Id;
use tower_sessions::{Session, SessionStore};

/// How often a stream checks that its session still stands.
pub const SESSION_CHECK_EVERY: Duration = Duration::from_secs(3);

/// Whether the session `id` still stands: it is in the store (not signed out, ended or idle)
/// and not past its lifetime. A store that cannot be read ends nothing.
pub(crate) async fn session_stands(state: &AppState, id: Option<Id>) -> bool {
    let Some(id) = id else {
        return false;
    };
    match state.sessions.load(&id).await {
        Ok(Some(record)) => signed_in_user(&record).is_some_and(|(user, activity)| {
            judge(
                state.settings.resolved.session_limits,
                user.signed_in_at,
                activity,
                chrono::Utc::now(),
            )
            .is_alive()
        }),
        Ok(None) => false,
        Err(e) => {
            tracing::warn!(error = %e, "checking a live stream's session");
            true
        }
    }
}

/// What the stream carries from one event to the next.
struct Listener {
    rx: Receiver<LiveEvent>,
    user: Principal,
    state: AppState,
    session: Option<Id>,
    check: tokio::time::Interval,
}

fn may_see(user: &Principal, event: &LiveEvent) -> bool {
    EnvId::parse(&event.env).is_ok_and(|env| authorize(user, Action::View, &env).is_ok())
}

fn to_sse(event: &LiveEvent) -> Event {
    Event::default()
        .event(event.kind.as_str())
        .data(serde_json::to_string(event).unwrap_or_default())
}

pub async fn events(
    State(state): State<AppState>,
    Extension(user): Extension<Principal>,
    session: Session,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = state.services.live.subscribe();
    let ready = futures::stream::once(async { Ok(Event::default().event("ready").data("{}")) });
    let start = tokio::time::Instant::now() + SESSION_CHECK_EVERY;
    let listener = Listener {
        rx,
        user,
        session: session.id(),
        state,
        check: tokio::time::interval_at(start, SESSION_CHECK_EVERY),
    };
    let changes = futures::stream::unfold(listener, |mut l| async move {
        loop {
            tokio::select! {
                received = l.rx.recv() => match received {
                    Ok(event) if may_see(&l.user, &event) => {
                        return Some((Ok(to_sse(&event)), l));
                    }
                    Ok(_) => continue,
                    // Too slow to keep up: tell the page to reload its data once.
                    Err(RecvError::Lagged(_)) => {
                        let resync = Event::default().event("resync").data("{}");
                        return Some((Ok(resync), l));
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = l.check.tick() => {
                    if !session_stands(&l.state, l.session).await {
                        return None;
                    }
                }
            }
        }
    });
    Sse::new(futures::StreamExt::chain(ready, changes))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::policy::{AuthMethod, Role, RoleGrants};
    use app::usecases::live::LiveKind;

    #[test]
    fn people_get_the_events_of_the_environments_they_may_view_only() {
        let dev_only = Principal {
            id: app::domain::person::PersonId::dev("devon").unwrap(),
            name: "devon".into(),
            method: AuthMethod::Oidc,
            grants: RoleGrants {
                everywhere: None,
                per_env: [(EnvId::parse("dev").unwrap(), Role::Operator)].into(),
            },
            groups: vec![],
        };
        let event = |env: &str| LiveEvent {
            kind: LiveKind::Incident,
            env: env.into(),
            id: Some(1),
        };
        assert!(may_see(&dev_only, &event("dev")));
        assert!(!may_see(&dev_only, &event("prod")));
        assert!(!may_see(&dev_only, &event("not an env!")));
        let everyone = Principal {
            grants: RoleGrants::everywhere(Role::Viewer),
            ..dev_only
        };
        assert!(may_see(&everyone, &event("prod")));
    }
}
