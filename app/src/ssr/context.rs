//! What a server function reads from its request: the services (ports) and the signed-in user.
//! The server's auth middleware puts the `Principal` into the request extensions.

use super::ports::{
    ActionPort, ActionStore, AuditEntry, AuditPort, EnvState, IncidentStore, InventoryPort,
    Notifier, ReleaseStore, TokenStore,
};
use crate::domain::ids::EnvId;
use crate::domain::policy::{authorize, Action, Principal};
use crate::error::AppError;
use leptos::prelude::*;
use std::future::Future;
use std::sync::Arc;

/// The ports and settings the server functions need, provided once as Leptos context.
#[derive(Clone)]
pub struct AppServices {
    pub inventory: Arc<dyn InventoryPort>,
    pub audit: Arc<dyn AuditPort>,
    pub actions: Arc<dyn ActionPort>,
    pub action_store: Arc<dyn ActionStore>,
    pub releases: Arc<dyn ReleaseStore>,
    pub notifier: Arc<dyn Notifier>,
    pub tokens: Arc<dyn TokenStore>,
    pub incidents: Arc<dyn IncidentStore>,
    /// Grouping, resolution, suspect and escalation windows from `[incidents]`.
    pub incident_settings: crate::domain::incidents::IncidentSettings,
    pub severity_rules: Vec<crate::domain::incidents::SeverityRule>,
    /// Live updates for the event stream.
    pub live: super::live::LiveBus,
    /// What every page's chrome reads, cached until something changes.
    pub chrome: Arc<super::chrome::ChromeCache>,
    /// On-call rotations from config.
    pub rotations: Vec<crate::domain::oncall::Rotation>,
    /// `[promotion]`: the order versions travel in and the allowed promotions.
    pub promotion: crate::domain::drift::PromotionPolicy,
    /// New token secrets waiting for a page without JavaScript.
    pub handoff: Arc<super::handoff::SecretHandoff>,
    /// The console's own address, for links in notifications.
    pub public_url: String,
    /// True in the demo's dev sign-in mode: every page shows a banner.
    pub demo_mode: bool,
    /// Groups that grant a role somewhere, for the "no access" page.
    pub access_groups: Vec<String>,
    /// Origins forms may continue to besides this one (the identity provider's sign-out).
    pub form_action_origins: Vec<String>,
    /// Served over https: strict transport security and secure cookies apply.
    pub https: bool,
}

pub fn services() -> Result<AppServices, AppError> {
    use_context::<AppServices>()
        .ok_or_else(|| AppError::internal("server context", &"AppServices missing from context"))
}

/// The signed-in principal of this request, or `Unauthenticated`.
pub fn current_user() -> Result<Principal, AppError> {
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Unauthenticated)?;
    parts
        .extensions
        .get::<Principal>()
        .cloned()
        .ok_or(AppError::Unauthenticated)
}

/// Runs a server function body and, on error, sets the HTTP status that matches it. A plain
/// form post (no JavaScript) is sent back to its page with the message instead, so the person
/// sees it there rather than a bare error body.
pub async fn respond<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    use super::actions::{back_to_page, is_plain_form_post};
    let result = body.await;
    if let Err(error) = &result {
        let shown = is_plain_form_post() && back_to_page(&[("problem", &error.to_string())]);
        if !shown {
            if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
                options.set_status(error.status());
            }
        }
    }
    result
}

/// The environments this user may view, in config order.
pub fn visible_states(user: &Principal, services: &AppServices) -> Vec<EnvState> {
    services
        .inventory
        .states()
        .into_iter()
        .filter(|s| authorize(user, Action::View, &s.descriptor.id).is_ok())
        .collect()
}

/// Where the request came from, for the audit log.
pub fn request_origin() -> (Option<String>, Option<String>) {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return (None, None);
    };
    let ip = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let agent = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(300).collect());
    (ip, agent)
}

/// One environment the user may perform `action` in, or the reason why not. Denials are
/// written to the audit log.
pub async fn authorized_state(
    user: &Principal,
    services: &AppServices,
    env: &str,
    action: Action,
) -> Result<EnvState, AppError> {
    let env = EnvId::parse(env)?;
    if let Err(denied) = authorize(user, action, &env) {
        let (ip, user_agent) = request_origin();
        let entry = AuditEntry {
            actor: user.name.clone(),
            kind: "denied".into(),
            env: Some(env.to_string()),
            target: Some(format!("{action:?}")),
            outcome: "denied".into(),
            detail: Some(denied.to_string()),
            ip,
            user_agent,
        };
        if let Err(e) = services.audit.record(entry).await {
            return Err(AppError::internal("recording a denial", &e));
        }
        return Err(denied.into());
    }
    services
        .inventory
        .state(&env)
        .ok_or_else(|| AppError::NotFound(format!("there is no environment {env}")))
}

/// The audit entries this user may read.
pub fn audit_scope(user: &Principal, services: &AppServices) -> super::ports::AuditScope {
    let envs: Vec<EnvId> = services
        .inventory
        .states()
        .into_iter()
        .map(|s| s.descriptor.id)
        .collect();
    super::ports::AuditScope {
        envs: crate::domain::audit::visible_envs(user, &envs)
            .map(|v| v.into_iter().map(|e| e.to_string()).collect()),
        viewer: user.name.clone(),
    }
}
