//! The demo's dev sign-in: any name, one role in every environment. Only reachable when
//! `auth.mode = "dev"`, which config refuses unless the server listens on loopback.

use super::sessions::{SessionUser, USER_KEY};
use crate::config::AuthMode;
use crate::state::AppState;
use app::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use app::domain::caller::Caller;
use app::domain::flash::LoginError;
use app::domain::ids::{parse_user_name, safe_next_path};
use app::domain::person::PersonId;
use app::domain::policy::{AuthMethod, Principal, Role, RoleGrants};
use app::ports::AuditPort;
use app::ssr::client_ip::ClientIp;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Debug, Deserialize)]
pub struct DevLoginForm {
    pub user: String,
    pub role: String,
    #[serde(default)]
    pub next: Option<String>,
}

/// The client's IP (behind trusted proxies, the forwarded one) and user agent, for the audit log.
pub(crate) fn client(
    client_ip: Option<&Extension<ClientIp>>,
    headers: &HeaderMap,
) -> (Option<String>, Option<String>) {
    let ip = client_ip.map(|c| c.0 .0.to_string());
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(300).collect());
    (ip, agent)
}

/// `Some(429 response)` when this client has used up its sign-in attempts for the minute.
pub(crate) fn throttled(
    state: &AppState,
    client_ip: Option<&Extension<ClientIp>>,
) -> Option<Response> {
    let ip = client_ip.map(|c| c.0 .0)?;
    match state.login_throttle.attempt(ip) {
        Ok(()) => None,
        Err(wait) => {
            tracing::warn!(%ip, "sign-in attempts throttled");
            Some(
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, wait.to_string())],
                    format!("too many sign-in attempts from this address; try again in {wait} s"),
                )
                    .into_response(),
            )
        }
    }
}

fn back_to_login(error: LoginError, next: &str) -> Response {
    let target = format!(
        "/login?error={}&next={}",
        error.code(),
        app::domain::alarm_filter::encode(next)
    );
    Redirect::to(&target).into_response()
}

pub async fn dev_login(
    State(state): State<AppState>,
    client_ip: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<DevLoginForm>,
) -> Response {
    if state.settings.auth.mode != AuthMode::Dev {
        return (StatusCode::NOT_FOUND, "dev sign-in is disabled").into_response();
    }
    if let Some(response) = throttled(&state, client_ip.as_ref()) {
        return response;
    }
    let next = safe_next_path(form.next.as_deref());
    let name = match parse_user_name(&form.user) {
        Ok(name) => name,
        Err(e) => {
            tracing::info!(error = %e, "dev sign-in with a malformed name");
            return back_to_login(LoginError::Name, &next);
        }
    };
    let role = match Role::parse(&form.role) {
        Ok(role) => role,
        Err(e) => {
            tracing::info!(error = %e, "dev sign-in with an unknown role");
            return back_to_login(LoginError::Role, &next);
        }
    };
    // The demo has no identity provider: the typed name is all there is to know.
    let id = match PersonId::dev(&name) {
        Ok(id) => id,
        Err(e) => {
            tracing::info!(error = %e, "dev sign-in with a name that makes no person id");
            return back_to_login(LoginError::Name, &next);
        }
    };
    let principal = Principal {
        id,
        name: name.clone(),
        method: AuthMethod::Dev,
        grants: RoleGrants::everywhere(role),
        groups: Vec::new(),
    };
    // A fresh session id at every sign-in defeats session fixation.
    if let Err(e) = super::sessions::start(&session, &state.sessions, principal.clone()).await {
        tracing::error!(error = ?e, "starting a session");
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not start a session",
        )
            .into_response();
    }
    let (ip, user_agent) = client(client_ip.as_ref(), &headers);
    let caller = Caller::page(principal, ip, user_agent.as_deref());
    let entry = AuditEntry::new(&caller, AuditKind::Login, AuditOutcome::Succeeded)
        .detail(format!("dev sign-in as {role} in every environment"));
    if let Err(e) = state.audit.record(entry).await {
        tracing::error!(error = %e, "auditing a sign-in");
        let _ = super::sessions::end(&session, &state.sessions).await;
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not record the sign-in",
        )
            .into_response();
    }
    Redirect::to(&next).into_response()
}

pub async fn logout(
    State(state): State<AppState>,
    client_ip: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    session: Session,
) -> Response {
    let user: Option<SessionUser> = session.get(USER_KEY).await.ok().flatten();
    if let Err(e) = super::sessions::end(&session, &state.sessions).await {
        tracing::error!(error = format!("{e:#}"), "ending a session");
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not end the session",
        )
            .into_response();
    }
    if let Some(user) = user {
        let (ip, user_agent) = client(client_ip.as_ref(), &headers);
        let caller = Caller::page(user.principal, ip, user_agent.as_deref());
        let entry = AuditEntry::new(&caller, AuditKind::Logout, AuditOutcome::Succeeded);
        if let Err(e) = state.audit.record(entry).await {
            tracing::error!(error = %e, "auditing a sign-out");
        }
    }
    // With SSO, continue to the provider's sign-out so the next sign-in asks again.
    let target = match &state.oidc {
        Some(oidc) => oidc.logout_url().await.unwrap_or_else(|| "/login".into()),
        None => "/login".into(),
    };
    Redirect::to(&target).into_response()
}
