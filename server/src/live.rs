//! `/events`: the live-update stream (server-sent events). Each signed-in browser gets the
//! changes of the environments it may view: incidents, snapshots, release requests. The stream
//! starts with a `ready` event and keeps the connection alive with comments.

use crate::state::AppState;
use app::domain::ids::EnvId;
use app::domain::policy::{authorize, Action, Principal};
use app::usecases::live::LiveEvent;
use axum::extract::{Extension, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

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
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = state.services.live.subscribe();
    let ready = futures::stream::once(async { Ok(Event::default().event("ready").data("{}")) });
    let changes = futures::stream::unfold((rx, user), |(mut rx, user)| async move {
        loop {
            match rx.recv().await {
                Ok(event) if may_see(&user, &event) => {
                    return Some((Ok(to_sse(&event)), (rx, user)));
                }
                Ok(_) => continue,
                // Too slow to keep up: tell the page to reload its data once.
                Err(RecvError::Lagged(_)) => {
                    let resync = Event::default().event("resync").data("{}");
                    return Some((Ok(resync), (rx, user)));
                }
                Err(RecvError::Closed) => return None,
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
