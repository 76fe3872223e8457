//! Server functions for API tokens: list, create (the secret is answered once), revoke.

mod create_token;
mod list_tokens;
mod revoke_token;

pub use create_token::*;
pub use list_tokens::*;
pub use revoke_token::*;

#[cfg(feature = "ssr")]
fn token_audit(
    user: &crate::domain::policy::Principal,
    kind: &str,
    outcome: &str,
    name: &str,
    detail: Option<String>,
) -> crate::ssr::ports::AuditEntry {
    let (ip, user_agent) = crate::ssr::context::request_origin();
    crate::ssr::ports::AuditEntry {
        actor: user.name.clone(),
        kind: kind.to_string(),
        env: None,
        target: Some(format!("token {name}")),
        outcome: outcome.to_string(),
        detail,
        ip,
        user_agent,
    }
}

/// Every configured environment, in config order.
#[cfg(feature = "ssr")]
fn all_envs(services: &crate::ssr::context::AppServices) -> Vec<crate::domain::ids::EnvId> {
    services
        .inventory
        .states()
        .into_iter()
        .map(|s| s.descriptor.id)
        .collect()
}
