//! The request guard: reads the session, ends it when idle or past its absolute lifetime, writes
//! its activity about once a minute (which moves the idle expiry on), and puts the signed-in
//! principal (and the session as the one-time message store, `auth::flash`) into the request
//! extensions. Requests without one are redirected to the sign-in page
//! (pages) or refused with 401 (everything else), except the few public paths.

use super::sessions::{SessionUser, ACTIVITY_KEY, USER_KEY};
use crate::state::AppState;
use app::domain::sessions::{judge, SessionVerdict};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use tower_sessions::Session;

/// Paths anyone may reach: the sign-in page and its form, probes, static assets.
pub fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/auth/dev-login"
            | "/auth/login"
            | "/auth/callback"
            | "/api/get_sign_in_options"
            | "/healthz"
            | "/readyz"
            | "/metrics"
            | "/favicon.svg"
            | "/favicon.ico"
    ) || path.starts_with("/pkg/")
        || path.starts_with("/assets/")
}

pub async fn require_session(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let stored: Option<serde_json::Value> = match session.get(USER_KEY).await {
        Ok(user) => user,
        Err(e) => {
            tracing::error!(error = %e, "reading the session");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "session store unavailable",
            )
                .into_response();
        }
    };
    // A session that does not say who its person is (signed in before people had ids) is
    // signed out: the person signs in again and gets one.
    let user: Option<SessionUser> = match stored.map(serde_json::from_value::<SessionUser>) {
        Some(Ok(user)) => Some(user),
        Some(Err(e)) => {
            tracing::info!(error = %e, "a session without a readable user is signed out");
            if let Err(e) = super::sessions::end(&session, &state.sessions).await {
                tracing::error!(error = format!("{e:#}"), "ending an unreadable session");
            }
            None
        }
        None => None,
    };
    let user = match user {
        Some(user) => {
            let activity: Option<DateTime<Utc>> = session.get(ACTIVITY_KEY).await.ok().flatten();
            let now = Utc::now();
            match judge(
                state.settings.resolved.session_limits,
                user.signed_in_at,
                activity,
                now,
            ) {
                SessionVerdict::Alive => Some(user),
                // Saved after the response, with the idle expiry counted from now.
                SessionVerdict::AliveWriteActivity => {
                    if let Err(e) = session.insert(ACTIVITY_KEY, now).await {
                        tracing::error!(error = %e, "writing a session's activity");
                    }
                    Some(user)
                }
                SessionVerdict::Idle | SessionVerdict::Expired => {
                    if let Err(e) = super::sessions::end(&session, &state.sessions).await {
                        tracing::error!(error = format!("{e:#}"), "ending an expired session");
                    }
                    None
                }
            }
        }
        None => None,
    };
    let path = request.uri().path().to_string();
    match user {
        Some(user) => {
            request.extensions_mut().insert(user.principal);
            request
                .extensions_mut()
                .insert(app::ssr::flash::Flashes(std::sync::Arc::new(
                    super::flash::SessionFlashes(session.clone()),
                )));
            next.run(request).await
        }
        None if is_public(&path) => next.run(request).await,
        None if request.method() == Method::GET
            && !path.starts_with("/api/")
            && path != "/events" =>
        {
            let wanted = request
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let target = format!("/login?next={}", app::domain::alarm_filter::encode(wanted));
            Redirect::to(&target).into_response()
        }
        None => (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"you are not signed in"}"#,
        )
            .into_response(),
    }
}
