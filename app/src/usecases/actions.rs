//! The one path every operator action takes: authorise (denials audited), validate against the
//! inventory, send gated actions in protected environments to the approval gate as release
//! requests, record the intent with its audit row before touching AWS, act once per idempotency
//! key in a task of its own (the request answers within a few seconds, "running" if AWS is
//! slower), record the outcome, and re-read the one resource it touched. The pages run an action
//! ([`run_action`]); the automation API only requests gated ones ([`request_action`]); both take
//! the same steps up to the gate.

use super::access::authorized_state;
use super::execution::{execute_recorded, into_response, Answer, ANSWER_WAIT};
use super::prepare::{prepare, ActionRequest, Prepared};
use super::services::AppServices;
use crate::domain::actions::{ActionKind, ActionResult, IdempotencyKey};
use crate::domain::approvals::{
    check_direct, direct_break_glass_notice, DirectBreakGlass, FreezeCheck,
};
use crate::domain::audit::AuditOutcome;
use crate::domain::caller::Caller;
use crate::domain::execution::CheckedAt;
use crate::domain::policy::{authorize, AuthMethod, Principal};
use crate::domain::views::{ActionPanel, Frozen};
use crate::error::AppError;
use crate::ports::{EnvState, PortResult};
use std::sync::atomic::{AtomicU64, Ordering};

/// An action as a form or an API call asked for it: the environment, the request key, what to
/// change, and why.
#[derive(Debug, Clone)]
pub struct ActionInput {
    pub env: String,
    /// The form's (or the client's) request key: a retry acts once.
    pub key: String,
    /// The typed name a protected environment asks for.
    pub confirm: Option<String>,
    pub reason: Option<String>,
    pub ticket_url: Option<String>,
    /// An admin's reason to act inside a freeze window (break glass).
    pub break_glass: Option<String>,
    pub request: ActionRequest,
}

/// A free-text reason: trimmed, empty means none, at most 500 characters.
pub fn parse_reason(reason: Option<String>) -> Result<Option<String>, AppError> {
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::Invalid(
            "the reason is longer than 500 characters".into(),
        ));
    }
    Ok(reason)
}

/// A fresh request key for a form: unique per render, not a secret.
pub fn new_request_key() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!("qd-{nanos:x}-{:x}-{n:x}", std::process::id())
}

/// Which actions of `kinds` the person may take in this environment now (directly, or as a
/// release request where the approval gate applies), and why not the others.
pub fn action_panel(
    user: &Principal,
    state: &EnvState,
    kinds: &[ActionKind],
    recent: Vec<ActionResult>,
) -> ActionPanel {
    let env = &state.descriptor.id;
    let frozen = Frozen::now(
        &state.descriptor.approval,
        chrono::Utc::now(),
        user.grants.role_in(env),
        user.method == AuthMethod::Token,
    );
    let mut allowed = Vec::new();
    let mut refused = Vec::new();
    let mut requests = Vec::new();
    for kind in kinds {
        match authorize(user, kind.permission(), env) {
            Ok(()) if needs_approval(state, *kind) => {
                allowed.push(*kind);
                requests.push(*kind);
            }
            Ok(()) => match &frozen {
                Some(f) if !f.may_break_glass => refused.push((
                    *kind,
                    format!(
                        "frozen until {} UTC ({}); an admin may break glass",
                        f.until.format("%Y-%m-%d %H:%M"),
                        f.reason
                    ),
                )),
                _ => allowed.push(*kind),
            },
            Err(why) => refused.push((*kind, why.to_string())),
        }
    }
    ActionPanel {
        allowed,
        refused,
        protected: state.descriptor.protected,
        request_key: new_request_key(),
        recent,
        requests,
        frozen,
    }
}

/// Whether this action in this environment goes through the approval gate.
pub fn needs_approval(state: &EnvState, kind: ActionKind) -> bool {
    state
        .descriptor
        .approval
        .applies(state.descriptor.protected, kind)
}

/// Runs one action a person asked for on a page, end to end; see the module doc for the order
/// of steps.
pub async fn run_action(
    caller: &Caller,
    services: &AppServices,
    input: ActionInput,
) -> Result<ActionResult, AppError> {
    let reason = parse_reason(input.reason)?;
    let ticket_url = super::releases::parse_ticket_url(input.ticket_url.as_deref())?;
    let request = input.request;
    run_prepared(
        caller,
        services,
        &input.env,
        request.kind(),
        &input.key,
        input.confirm.as_deref(),
        input.break_glass.as_deref(),
        |state| prepare(state, &request, reason, ticket_url, chrono::Utc::now()),
    )
    .await
}

/// Requests a gated action without running anything (the automation API): the same checks as
/// [`run_action`] up to the gate, then a release request; an action that needs no approval is
/// refused. Answers the request and whether this call recorded it (`false`: the same key had).
pub async fn request_action(
    caller: &Caller,
    services: &AppServices,
    input: ActionInput,
) -> Result<(ActionResult, bool), AppError> {
    let kind = input.request.kind();
    let key = IdempotencyKey::parse(&input.key).map_err(AppError::Invalid)?;
    let state = authorized_state(caller, services, &input.env, kind.permission()).await?;
    if !needs_approval(&state, kind) {
        return Err(AppError::Invalid(format!(
            "{kind} in {} needs no approval, so there is nothing to request; the API only asks for gated changes",
            state.descriptor.id
        )));
    }
    let reason = parse_reason(input.reason)?;
    let ticket_url = super::releases::parse_ticket_url(input.ticket_url.as_deref())?;
    let prepared = prepare(
        &state,
        &input.request,
        reason,
        ticket_url,
        chrono::Utc::now(),
    )?;
    super::releases::request_release(caller, services, &state, kind, &key, prepared).await
}

/// The one action path with the action already checked by `prepare` against the environment's
/// state: the key, the policy, a retry's first answer, the typed confirmation, the gate, the
/// freeze windows (`break_glass`: an admin's reason to act inside one), then the recorded run.
#[allow(clippy::too_many_arguments)]
pub async fn run_prepared(
    caller: &Caller,
    services: &AppServices,
    env: &str,
    kind: ActionKind,
    key: &str,
    confirm: Option<&str>,
    break_glass: Option<&str>,
    prepare: impl FnOnce(&EnvState) -> Result<Prepared, AppError>,
) -> Result<ActionResult, AppError> {
    let key = IdempotencyKey::parse(key).map_err(AppError::Invalid)?;
    let state = authorized_state(caller, services, env, kind.permission()).await?;
    let env_id = state.descriptor.id.clone();
    // A retry of a request that already ran gets its first result, before the request is
    // checked against the state the first run changed (scaling to 5 twice is one action).
    let finished = services
        .action_store
        .finished(&key, caller.id(), env_id.as_str(), kind)
        .await
        .context("reading a finished action")?;
    if let Some(result) = finished {
        return into_response(result);
    }
    let prepared = prepare(&state)?;
    if state.descriptor.protected && confirm.map(str::trim) != Some(prepared.confirm_name.as_str())
    {
        return Err(AppError::Invalid(format!(
            "{env_id} is protected: type {} to confirm",
            prepared.confirm_name
        )));
    }
    if needs_approval(&state, kind) {
        return super::releases::request_release(caller, services, &state, kind, &key, prepared)
            .await
            .map(|(result, _)| result);
    }
    check_freeze(caller, services, &state, kind, &prepared, break_glass).await?;
    let result = execute_recorded(
        caller,
        services,
        &env_id,
        kind,
        &key,
        prepared,
        CheckedAt::Review,
        Answer::Within(ANSWER_WAIT),
    )
    .await?;
    into_response(result)
}

/// The freeze windows for an action that runs at once: inside one it is refused (audited), unless
/// an admin breaks glass with a reason, which is recorded before anything runs and announced to
/// the webhooks. Release requests are not checked here: they wait out the window.
async fn check_freeze(
    caller: &Caller,
    services: &AppServices,
    state: &EnvState,
    kind: ActionKind,
    prepared: &Prepared,
    break_glass: Option<&str>,
) -> Result<(), AppError> {
    let env = state.descriptor.id.as_str();
    let actor = super::releases::actor_of(&caller.principal, state);
    let now = chrono::Utc::now();
    let audit = |outcome: AuditOutcome, detail: String| {
        super::execution::action_audit(caller, kind, env, &prepared.target, outcome, detail)
    };
    match check_direct(&state.descriptor.approval, env, now, actor, break_glass) {
        Ok(FreezeCheck::Open) => Ok(()),
        Ok(FreezeCheck::BreakGlass {
            until,
            window,
            reason,
        }) => {
            let detail = format!(
                "break glass inside {window:?} (until {}): {reason} — {}",
                until.to_rfc3339(),
                prepared.summary
            );
            services
                .audit
                .record(audit(AuditOutcome::BreakGlass, detail))
                .await
                .context("recording a break-glass action")?;
            super::webhooks::notify(
                services,
                direct_break_glass_notice(
                    &DirectBreakGlass {
                        actor: caller.name(),
                        kind,
                        env,
                        target: &prepared.target,
                        window: &window,
                        reason: &reason,
                    },
                    now,
                ),
            )
            .await;
            Ok(())
        }
        Err(refusal) => {
            let error = super::releases::refusal_error(refusal);
            if let Err(e) = services
                .audit
                .record(audit(AuditOutcome::Denied, error.to_string()))
                .await
            {
                tracing::error!(error = %crate::error::error_chain(&e), "recording a refused action");
            }
            Err(error)
        }
    }
}
