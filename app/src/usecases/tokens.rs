//! API tokens: list the ones an admin manages, create one (its secret answered once), revoke
//! one. Only admins of every environment a token covers manage it; refusals are audited. A token
//! acts for the admin who creates it, whatever service account it is labelled for.

use super::access::{all_envs, audit_denial};
use super::services::AppServices;
use crate::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use crate::domain::caller::Caller;
use crate::domain::ids::EnvId;
use crate::domain::policy::Role;
use crate::domain::tokens::{may_manage, parse_token_request, ApiToken};
use crate::error::AppError;
use crate::ports::{PortResult, TokenCreated};

/// An audit entry about the token named `name`.
fn token_audit(
    caller: &Caller,
    kind: AuditKind,
    outcome: AuditOutcome,
    name: &str,
    detail: Option<String>,
) -> AuditEntry {
    AuditEntry::new(caller, kind, outcome)
        .target(format!("token {name}"))
        .maybe_detail(detail)
}

/// The tokens an admin manages.
pub struct ManagedTokens {
    pub tokens: Vec<ApiToken>,
    /// The environments the caller is an admin of.
    pub admin_of: Vec<EnvId>,
    /// An admin of every environment (`*`).
    pub everywhere: bool,
}

/// The tokens the caller may manage; people who are nobody's admin are refused (audited).
pub async fn list_tokens(
    caller: &Caller,
    services: &AppServices,
) -> Result<ManagedTokens, AppError> {
    let user = &caller.principal;
    let envs = all_envs(services);
    let admin_of: Vec<EnvId> = envs
        .iter()
        .filter(|e| user.grants.role_in(e) == Some(Role::Admin))
        .cloned()
        .collect();
    if admin_of.is_empty() {
        let entry = token_audit(
            caller,
            AuditKind::TokenList,
            AuditOutcome::Denied,
            "*",
            Some("not an admin".into()),
        );
        audit_denial(services, entry).await?;
        return Err(AppError::Forbidden(
            "API tokens are managed by admins".into(),
        ));
    }
    let tokens = services
        .tokens
        .list()
        .await
        .context("listing tokens")?
        .into_iter()
        .filter(|t| may_manage(user, &t.envs, &envs))
        .collect();
    Ok(ManagedTokens {
        tokens,
        admin_of,
        everywhere: user.grants.everywhere == Some(Role::Admin),
    })
}

/// The fields of the token form, unchecked.
pub struct TokenForm<'a> {
    pub name: &'a str,
    pub owner: &'a str,
    pub envs: &'a str,
    pub role: &'a str,
    pub days: &'a str,
}

/// Creates a token: checked, authorised (admin of every environment it covers), recorded with
/// its audit row. Answers the token and its secret, to show once.
pub async fn create_token(
    caller: &Caller,
    services: &AppServices,
    form: TokenForm<'_>,
) -> Result<(ApiToken, String), AppError> {
    let known = all_envs(services);
    let request = parse_token_request(
        form.name, form.owner, form.envs, form.role, form.days, &known,
    )
    .map_err(AppError::Invalid)?;
    if !may_manage(&caller.principal, &request.envs, &known) {
        let entry = token_audit(
            caller,
            AuditKind::TokenCreate,
            AuditOutcome::Denied,
            &request.name,
            Some("not an admin of every environment the token covers".into()),
        );
        audit_denial(services, entry).await?;
        return Err(AppError::Forbidden(
            "creating this token needs the admin role in every environment it covers".into(),
        ));
    }
    let scope = request
        .envs
        .as_ref()
        .map(|l| {
            l.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "every environment".into());
    let detail = format!(
        "service account {}, acting for {}, {} in {scope}, {} days",
        request.owner,
        caller.name(),
        request.role,
        request.expires_in_days
    );
    let entry = token_audit(
        caller,
        AuditKind::TokenCreate,
        AuditOutcome::Succeeded,
        &request.name,
        Some(detail),
    );
    match services
        .tokens
        .create(&request, &caller.principal, chrono::Utc::now(), entry)
        .await
        .context("creating a token")?
    {
        TokenCreated::Created(token, secret) => Ok((*token, secret)),
        TokenCreated::NameTaken => Err(AppError::Conflict(format!(
            "a token named {} exists; pick another name or revoke it first",
            request.name
        ))),
    }
}

/// Revokes token `id`: requests carrying it are refused from then on.
pub async fn revoke_token(
    caller: &Caller,
    services: &AppServices,
    id: i64,
) -> Result<(), AppError> {
    let token = services
        .tokens
        .get(id)
        .await
        .context("reading a token")?
        .ok_or_else(|| AppError::NotFound(format!("there is no token #{id}")))?;
    if !may_manage(&caller.principal, &token.envs, &all_envs(services)) {
        let entry = token_audit(
            caller,
            AuditKind::TokenRevoke,
            AuditOutcome::Denied,
            &token.name,
            None,
        );
        audit_denial(services, entry).await?;
        return Err(AppError::Forbidden(
            "revoking this token needs the admin role in every environment it covers".into(),
        ));
    }
    let entry = token_audit(
        caller,
        AuditKind::TokenRevoke,
        AuditOutcome::Succeeded,
        &token.name,
        Some(format!(
            "service account {}, acting for {}",
            token.owner, token.created_by
        )),
    );
    let revoked = services
        .tokens
        .revoke(id, chrono::Utc::now(), entry)
        .await
        .context("revoking a token")?;
    if revoked {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "token {} is already revoked",
            token.name
        )))
    }
}
