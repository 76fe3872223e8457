//! The executed-action step every action ends in, direct or approved: record the intent with its
//! audit row, run the command once per idempotency key, record the outcome with its audit row,
//! and re-read the one resource it touched.

use super::prepare::Prepared;
use super::services::AppServices;
use crate::domain::actions::{ActionKind, ActionResult, ActionStatus, IdempotencyKey};
use crate::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use crate::domain::caller::Caller;
use crate::domain::ids::EnvId;
use crate::error::AppError;
use crate::ports::{ActionRecord, Begun, PortResult};

/// How long an action's answer waits for the environment's refresh.
const REFRESH_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// An audit entry about one action on one target.
pub fn action_audit(
    caller: &Caller,
    kind: ActionKind,
    env: &str,
    target: &str,
    outcome: AuditOutcome,
    detail: String,
) -> AuditEntry {
    AuditEntry::new(caller, AuditKind::Action(kind), outcome)
        .env(env)
        .target(target)
        .detail(detail)
}

/// A finished action as its caller gets it: an AWS refusal is an error.
pub fn into_response(result: ActionResult) -> Result<ActionResult, AppError> {
    match &result.status {
        ActionStatus::Succeeded | ActionStatus::AwaitingApproval { .. } => Ok(result),
        ActionStatus::Failed { code, message } => Err(AppError::Upstream {
            env: result.env.clone(),
            message: format!("{code}: {message}"),
        }),
    }
}

/// Records the intent, runs the command once per key, records the outcome, re-reads the touched
/// resource. Used for direct actions and for approved release requests alike; the audit rows
/// name `caller` (for a release, the requester's name as the console's own step).
pub async fn execute_recorded(
    caller: &Caller,
    services: &AppServices,
    env_id: &EnvId,
    kind: ActionKind,
    key: &IdempotencyKey,
    prepared: Prepared,
) -> Result<ActionResult, AppError> {
    let key = key.clone();
    let record = ActionRecord {
        key: key.clone(),
        actor: caller.name().to_string(),
        actor_id: caller.id().clone(),
        env: env_id.to_string(),
        kind,
        target: prepared.target.clone(),
        params: prepared.params.to_string(),
        reason: prepared.reason.clone(),
    };
    let intent = action_audit(
        caller,
        kind,
        env_id.as_str(),
        &prepared.target,
        AuditOutcome::Requested,
        prepared.summary.clone(),
    );
    match services
        .action_store
        .begin(&record, intent)
        .await
        .context("recording an action")?
    {
        Begun::AlreadyDone(result) => return into_response(*result),
        Begun::InFlight => {
            return Err(AppError::Conflict(
                "this request is still running; wait for it to finish".into(),
            ))
        }
        Begun::KeyReused => {
            return Err(AppError::Invalid(
                "this request key was already used for a different action; reload the page".into(),
            ))
        }
        Begun::Started => {}
    }
    let outcome = services.actions.execute(env_id, &prepared.command).await;
    let (status, output) = match outcome {
        Ok(output) => (ActionStatus::Succeeded, output),
        Err(f) => (
            ActionStatus::Failed {
                code: f.code,
                message: f.message,
            },
            Default::default(),
        ),
    };
    let (word, detail) = match &status {
        ActionStatus::Failed { code, message } => {
            (AuditOutcome::Failed, format!("{code}: {message}"))
        }
        _ => (AuditOutcome::Succeeded, prepared.summary.clone()),
    };
    let result = ActionResult {
        kind,
        env: env_id.to_string(),
        target: prepared.target.clone(),
        status,
        summary: prepared.summary.clone(),
        at: chrono::Utc::now(),
        actor: caller.name().to_string(),
        key: key.as_str().to_string(),
        reason: prepared.reason.clone(),
        revision: output.revision,
    };
    let outcome_entry = action_audit(
        caller,
        kind,
        env_id.as_str(),
        &prepared.target,
        word,
        detail,
    );
    if let Err(e) = services
        .action_store
        .finish(&record, &result, outcome_entry)
        .await
    {
        // AWS has acted; the outcome row is missing. Say so loudly; the intent row stands.
        let chain = crate::error::error_chain(&e);
        tracing::error!(error = %chain, key = key.as_str(), "recording an action's outcome");
    }
    if matches!(result.status, ActionStatus::Succeeded) {
        // Show the change on the next page load: re-read the touched resource now, but answer
        // within a few seconds even if AWS is slow; the read finishes in the background.
        let inventory = services.inventory.clone();
        let env = env_id.clone();
        let resource = prepared.command.resource();
        let refresh = tokio::spawn(async move {
            if let Err(e) = inventory.refresh_resource(&env, &resource).await {
                tracing::warn!(error = %e, env = %env, resource = ?resource, "refresh after an action");
            }
        });
        if tokio::time::timeout(REFRESH_WAIT, refresh).await.is_err() {
            tracing::info!(env = %env_id, "refresh after an action is still running");
        }
    }
    into_response(result)
}
