//! The SSO routes: `/auth/login` sends the browser to the identity provider, `/auth/callback`
//! verifies its answer and starts the session. Failures are audited and shown in plain words.

use super::dev_login::{client, throttled};
use super::oidc::{LoginError, PendingLogin};
use crate::state::AppState;
use app::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use app::domain::caller::Caller;
use app::domain::ids::safe_next_path;
use app::ports::AuditPort;
use app::ssr::client_ip::ClientIp;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use serde::Deserialize;
use tower_sessions::Session;

const PENDING_KEY: &str = "oidc_pending";

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_description: Option<String>,
}

/// A small self-contained page for sign-in failures (the app shell needs a session).
pub fn failure_page(status: StatusCode, message: &str) -> Response {
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in failed · Quarterdeck</title>\
         <link rel=\"stylesheet\" href=\"/pkg/quarterdeck.css\"></head>\
         <body class=\"min-h-screen bg-slate-100 text-slate-900 dark:bg-slate-950 dark:text-slate-100\">\
         <main class=\"mx-auto mt-24 max-w-md rounded-xl border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900\">\
         <h1 class=\"text-lg font-semibold\">Sign-in failed</h1>\
         <p role=\"alert\" data-testid=\"login-error\" class=\"mt-2 text-sm\">{escaped}</p>\
         <a class=\"mt-4 inline-block text-sm font-medium text-sky-700 hover:underline\" href=\"/login\">Try again</a>\
         </main></body></html>"
    );
    (status, Html(body)).into_response()
}

pub async fn login(
    State(state): State<AppState>,
    client_ip: Option<Extension<ClientIp>>,
    session: Session,
    Query(query): Query<LoginQuery>,
) -> Response {
    let Some(oidc) = state.oidc.clone() else {
        return (StatusCode::NOT_FOUND, "SSO sign-in is not configured").into_response();
    };
    if let Some(response) = throttled(&state, client_ip.as_ref()) {
        return response;
    }
    let next = safe_next_path(query.next.as_deref());
    match oidc.begin(next).await {
        Ok((url, pending)) => {
            if let Err(e) = session.insert(PENDING_KEY, pending).await {
                tracing::error!(error = %e, "storing the pending sign-in");
                return failure_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the session store is unavailable",
                );
            }
            Redirect::to(&url).into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "starting an SSO sign-in");
            failure_page(e.status(), &e.to_string())
        }
    }
}

pub async fn callback(
    State(state): State<AppState>,
    client_ip: Option<Extension<ClientIp>>,
    headers: HeaderMap,
    session: Session,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let Some(oidc) = state.oidc.clone() else {
        return (StatusCode::NOT_FOUND, "SSO sign-in is not configured").into_response();
    };
    if let Some(response) = throttled(&state, client_ip.as_ref()) {
        return response;
    }
    let (ip, user_agent) = client(client_ip.as_ref(), &headers);
    // The pending login is used once: a replayed callback finds nothing.
    let pending: Option<PendingLogin> = session.remove(PENDING_KEY).await.ok().flatten();
    let outcome = match (pending, &query) {
        (
            _,
            CallbackQuery {
                error: Some(error),
                error_description,
                ..
            },
        ) => Err(LoginError::ProviderRefused(match error_description {
            Some(d) => format!("{error}: {d}"),
            None => error.clone(),
        })),
        (None, _) => Err(LoginError::NoPendingLogin),
        (
            Some(pending),
            CallbackQuery {
                code: Some(code),
                state: Some(returned),
                ..
            },
        ) => {
            let next = pending.next.clone();
            oidc.complete(pending, code, returned)
                .await
                .map(|signed_in| (signed_in, next))
        }
        (Some(_), _) => Err(LoginError::ProviderRefused(
            "the callback carries no code or state".into(),
        )),
    };
    let (signed_in, next) = match outcome {
        Ok(ok) => ok,
        Err(e) => {
            tracing::warn!(error = %e, "SSO sign-in failed");
            let caller = Caller::unknown(ip, user_agent.as_deref());
            let entry = AuditEntry::new(&caller, AuditKind::Login, AuditOutcome::Failed)
                .detail(e.to_string());
            if let Err(err) = state.audit.record(entry).await {
                tracing::error!(error = %err, "auditing a failed sign-in");
            }
            return failure_page(e.status(), &e.to_string());
        }
    };
    let groups = signed_in.principal.groups.join(", ");
    let caller = Caller::page(signed_in.principal.clone(), ip, user_agent.as_deref());
    // A fresh session id at every sign-in defeats session fixation.
    if let Err(e) = super::sessions::start(&session, &state.sessions, signed_in.principal).await {
        tracing::error!(error = ?e, "starting a session");
        return failure_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not start a session",
        );
    }
    let entry =
        AuditEntry::new(&caller, AuditKind::Login, AuditOutcome::Succeeded).detail(format!(
            "SSO sign-in, subject {}, groups [{groups}]",
            signed_in.subject
        ));
    if let Err(e) = state.audit.record(entry).await {
        tracing::error!(error = %e, "auditing a sign-in");
        let _ = super::sessions::end(&session, &state.sessions).await;
        return failure_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "could not record the sign-in",
        );
    }
    Redirect::to(&next).into_response()
}
