//! The request guard: reads the session, enforces the absolute lifetime, and puts the signed-in
//! principal into the request extensions. Requests without one are redirected to the sign-in page
//! (pages) or refused with 401 (everything else), except the few public paths.

use super::sessions::{SessionUser, USER_KEY};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
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
    let user: Option<SessionUser> = match session.get(USER_KEY).await {
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
    let lifetime = chrono::Duration::from_std(state.settings.server.session_absolute_lifetime)
        .unwrap_or(chrono::Duration::hours(24));
    let user = match user {
        Some(u) if Utc::now() - u.signed_in_at > lifetime => {
            if let Err(e) = session.flush().await {
                tracing::error!(error = %e, "ending an expired session");
            }
            None
        }
        other => other,
    };
    let path = request.uri().path().to_string();
    match user {
        Some(user) => {
            request.extensions_mut().insert(user.principal);
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
