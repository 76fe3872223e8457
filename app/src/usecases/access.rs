//! Which environments a caller may see or act in, checked by the one policy; a refusal is
//! written to the audit log with the caller's address before it is answered.

use super::services::AppServices;
use crate::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use crate::domain::caller::Caller;
use crate::domain::ids::EnvId;
use crate::domain::policy::{authorize, authorize_at, Action, Principal};
use crate::error::AppError;
use crate::ports::{AuditScope, EnvState, PortResult};

/// The environments this person may view, in config order.
pub fn visible_states(user: &Principal, services: &AppServices) -> Vec<EnvState> {
    services
        .inventory
        .states()
        .into_iter()
        .filter(|s| authorize(user, Action::View, &s.descriptor.id).is_ok())
        .collect()
}

/// A page across the environments this person may view, optionally of the one `env` names:
/// `page` builds it from their snapshots. An `env` that is not an environment id is refused.
pub fn across_visible<T>(
    user: &Principal,
    services: &AppServices,
    env: Option<&str>,
    page: impl FnOnce(&[crate::domain::views::EnvData<'_>], Option<&EnvId>) -> T,
) -> Result<T, AppError> {
    let filter = env
        .filter(|e| !e.is_empty())
        .map(EnvId::parse)
        .transpose()?;
    let states = visible_states(user, services);
    let data: Vec<_> = states.iter().map(|s| s.data()).collect();
    Ok(page(&data, filter.as_ref()))
}

/// Every configured environment, in config order.
pub fn all_envs(services: &AppServices) -> Vec<EnvId> {
    services
        .inventory
        .states()
        .into_iter()
        .map(|s| s.descriptor.id)
        .collect()
}

/// Writes a refusal to the audit log.
pub async fn audit_denial(services: &AppServices, entry: AuditEntry) -> Result<(), AppError> {
    services
        .audit
        .record(entry)
        .await
        .context("recording a denial")
}

/// Refuses (audited, as `kind` on `target`) anyone but a person signed in who is an admin of
/// every environment — for what spans all of them (sessions, the webhook outbox); `refusal` is
/// what the caller is told.
pub async fn check_admin_everywhere(
    caller: &Caller,
    services: &AppServices,
    kind: AuditKind,
    target: &str,
    refusal: &str,
) -> Result<(), AppError> {
    if crate::domain::sessions::may_end_sessions(&caller.principal, &all_envs(services)) {
        return Ok(());
    }
    let entry = AuditEntry::new(caller, kind, AuditOutcome::Denied)
        .target(target.to_string())
        .detail("not an admin of every environment");
    audit_denial(services, entry).await?;
    Err(AppError::Forbidden(refusal.into()))
}

/// One environment the caller may perform `action` in, or the reason why not. Denials are
/// written to the audit log.
pub async fn authorized_state(
    caller: &Caller,
    services: &AppServices,
    env: &str,
    action: Action,
) -> Result<EnvState, AppError> {
    let env = EnvId::parse(env)?;
    let state = services.inventory.state(&env);
    // Reading logs asks for the environment's own minimum role.
    let required = match (action, &state) {
        (Action::ReadLogs, Some(state)) => state.descriptor.logs.read_role,
        _ => action.required_role(),
    };
    if let Err(denied) = authorize_at(&caller.principal, action, &env, required) {
        let entry = AuditEntry::new(caller, AuditKind::Denied, AuditOutcome::Denied)
            .env(env.as_str())
            .target(format!("{action:?}"))
            .detail(denied.to_string());
        audit_denial(services, entry).await?;
        return Err(denied.into());
    }
    state.ok_or_else(|| AppError::NotFound(format!("there is no environment {env}")))
}

/// The audit entries this person may read.
pub fn audit_scope(user: &Principal, services: &AppServices) -> AuditScope {
    AuditScope {
        envs: crate::domain::audit::visible_envs(user, &all_envs(services))
            .map(|v| v.into_iter().map(|e| e.to_string()).collect()),
        viewer: user.id.clone(),
    }
}
