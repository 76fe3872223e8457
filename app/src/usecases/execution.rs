//! The executed-action step every action ends in, direct or approved. In the caller's request:
//! record the intent with its audit row, once per idempotency key. Then, in a task of its own
//! (a closed tab or a proxy's timeout cannot stop it halfway):
//! 1. read the live service and compare it with what the action was checked against; if it
//!    changed, the action is not run ("changed since approval: now runs …") and nothing in AWS
//!    is touched (`domain::execution::check_unchanged`);
//! 2. register a deploy's revision, noting it with the running action;
//! 3. make the one change; AWS's refusal is recorded as a failure (and a revision registered for
//!    it deregistered); a call without a clear answer is never recorded as either: the resource
//!    is read back, a change seen is a success, anything else stays `checking`;
//! 4. record the outcome with its audit row, announce it, re-read the touched resource; a change
//!    to a service that succeeded starts following its rollout in the same transaction (the
//!    rollout follower, `usecases::rollouts`, reads it until ECS ends it).
//!
//! [`settle`] — the action sweeper, a background job — closes actions whose outcome is still not
//! recorded a while after they started (still `checking`, or `running` when a process stopped
//! midway) by reading the resource: applied, not applied, or a terminal "outcome unknown".

use super::prepare::Prepared;
use super::services::AppServices;
use crate::domain::acting::AwsActor;
use crate::domain::actions::{ActionKind, ActionResult, ActionStatus, IdempotencyKey};
use crate::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use crate::domain::caller::Caller;
use crate::domain::execution::{
    check_before, reconcile, settle as settle_reading, CallOutcome, CheckedAt, Reconciled, Settled,
};
use crate::domain::ids::EnvId;
use crate::domain::rollout_outcome::RolloutOutcome;
use crate::error::AppError;
use crate::ports::{
    ActionCommand, ActionFailure, ActionRecord, Begun, NewRollout, PortResult, Unsettled,
};
use chrono::{DateTime, Utc};

/// How long an action's answer waits for the environment's refresh.
const REFRESH_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// How long a page's request waits for its action before answering that it is running; the
/// action carries on in its own task either way.
pub const ANSWER_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The job that settles actions whose outcome stayed unknown.
pub const SETTLER: &str = "action sweeper";

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

/// A result as its caller gets it: an AWS refusal is an error, a change not run a conflict;
/// an action running, being checked, or settled without an answer is an outcome to show.
pub fn into_response(result: ActionResult) -> Result<ActionResult, AppError> {
    match &result.status {
        ActionStatus::Succeeded
        | ActionStatus::AwaitingApproval { .. }
        | ActionStatus::Running
        | ActionStatus::Checking { .. }
        | ActionStatus::Unknown { .. } => Ok(result),
        ActionStatus::Failed { code, message } => Err(AppError::Upstream {
            env: result.env.clone(),
            message: format!("{code}: {message}"),
        }),
        ActionStatus::NotRun { reason } => Err(AppError::Conflict(reason.clone())),
    }
}

/// How long the caller waits for the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// To the end (the release executor, itself a task of its own).
    WhenDone,
    /// At most this long, then `Running` (a page's request).
    Within(std::time::Duration),
}

/// Records the intent, then runs the action in a task of its own (see the module doc) and
/// answers its result, or `Running` if `answer` runs out first. Used for direct actions and
/// for approved release requests alike; the audit rows name `caller` (for a release, the
/// requester's name as the console's own step). `checked` says when the action was checked
/// against the service, for the words of a refusal. Errors only when nothing ran: the key is
/// in use, or the intent could not be recorded.
#[allow(clippy::too_many_arguments)]
pub async fn execute_recorded(
    caller: &Caller,
    services: &AppServices,
    env_id: &EnvId,
    kind: ActionKind,
    key: &IdempotencyKey,
    prepared: Prepared,
    checked: CheckedAt,
    answer: Answer,
) -> Result<ActionResult, AppError> {
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
    let started = ActionResult {
        kind,
        env: env_id.to_string(),
        target: prepared.target.clone(),
        status: ActionStatus::Running,
        summary: prepared.summary.clone(),
        at: Utc::now(),
        actor: caller.name().to_string(),
        key: key.as_str().to_string(),
        reason: prepared.reason.clone(),
        revision: None,
        rollout: None,
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
        .begin(&record, &prepared.command, &started, intent)
        .await
        .context("recording an action")?
    {
        Begun::AlreadyDone(result) => return Ok(*result),
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
    services
        .live
        .publish(super::live::LiveKind::Action, env_id.as_str(), None);
    let run = Run {
        caller: caller.clone(),
        services: services.clone(),
        env: env_id.clone(),
        record,
        command: prepared.command,
        started,
        checked,
    };
    let running = run.started.clone();
    let task = tokio::spawn(run.go());
    let joined = match answer {
        Answer::WhenDone => task.await,
        Answer::Within(wait) => match tokio::time::timeout(wait, task).await {
            Ok(joined) => joined,
            Err(_) => {
                tracing::info!(env = %env_id, key = key.as_str(), "an action is still running; answering that it is");
                return Ok(running);
            }
        },
    };
    joined.map_err(|e| AppError::internal("the task running an action failed", &e))
}

/// One action being run: everything its task needs, owned.
struct Run {
    caller: Caller,
    services: AppServices,
    env: EnvId,
    record: ActionRecord,
    command: ActionCommand,
    /// The result recorded with the intent (`Running`).
    started: ActionResult,
    checked: CheckedAt,
}

impl Run {
    async fn go(self) -> ActionResult {
        // 1. The service must still be what the action was checked against.
        if let Some(before) = self.command.before() {
            match self
                .services
                .actions
                .observe(&self.env, &self.command)
                .await
            {
                Ok(observed) => {
                    if let Err(changed) = check_before(&before, &observed) {
                        return self.not_run(changed.reason(self.checked)).await;
                    }
                }
                Err(f) => {
                    let reason = format!(
                        "could not read {} to check it is as it was {}: {}: {}; nothing was changed",
                        self.record.target,
                        match self.checked {
                            CheckedAt::Approval => "when approved",
                            CheckedAt::Review => "on review",
                        },
                        f.code,
                        f.message
                    );
                    return self.not_run(reason).await;
                }
            }
        }
        // 2. A deploy's revision, noted with the running action so a sweeper finds it.
        let registered = match self.command.registers() {
            None => None,
            Some((from, images)) => {
                match self
                    .services
                    .actions
                    .register_revision(&self.env, &AwsActor::of(&self.caller), from, &images)
                    .await
                {
                    Ok(arn) => {
                        let mut noted = self.started.clone();
                        noted.revision = Some(arn.clone());
                        if let Err(e) = self
                            .services
                            .action_store
                            .progress(&self.record, &noted)
                            .await
                        {
                            let chain = crate::error::error_chain(&e);
                            tracing::warn!(error = %chain, key = self.record.key.as_str(), "noting a deploy's revision");
                        }
                        Some(arn)
                    }
                    Err(f) => {
                        let note = match f.outcome {
                            CallOutcome::NotApplied => "the service was not changed",
                            CallOutcome::MaybeApplied => {
                                "the service was not changed; a revision may have been registered"
                            }
                        };
                        let message = format!("{} ({note})", f.message);
                        return self.failed(f.code, message, None).await;
                    }
                }
            }
        };
        let Some(change) = self.command.change(registered.as_deref()) else {
            return self
                .failed(
                    "NotRegistered".into(),
                    "no revision was registered for this deploy; the service was not changed"
                        .into(),
                    None,
                )
                .await;
        };
        // 2b. A scale's autoscaling range, first, so target tracking does not undo the count.
        if let Some((_, _, range)) = self.command.range_change() {
            if let Err(f) = self.set_range(range.to).await {
                let note = match f.outcome {
                    CallOutcome::NotApplied => "nothing was changed",
                    CallOutcome::MaybeApplied => {
                        "the desired count was not changed; the autoscaling range may have been"
                    }
                };
                let message = format!("{} ({note})", f.message);
                return self.failed(f.code, message, None).await;
            }
        }
        let asked = match &change {
            crate::ports::AwsChange::UpdateService {
                task_definition, ..
            } => task_definition.clone(),
            _ => None,
        };
        // 3. The change.
        match self
            .services
            .actions
            .apply(&self.env, &AwsActor::of(&self.caller), &change)
            .await
        {
            Ok(output) => self.succeeded(output.revision.or(asked), None).await,
            Err(f) if f.outcome == CallOutcome::NotApplied => {
                let mut message = f.message;
                if let Some(arn) = &registered {
                    message.push_str(&self.discard(arn).await);
                }
                message.push_str(&self.restore_range().await);
                self.failed(f.code, message, registered).await
            }
            Err(f) => {
                // AWS may have made the change: only the resource can tell, and a revision
                // it may run stays registered.
                let intended = self
                    .command
                    .intended(registered.as_deref(), self.started.at);
                let seen = match self
                    .services
                    .actions
                    .observe(&self.env, &self.command)
                    .await
                {
                    Ok(observed) => reconcile(&intended, &observed) == Reconciled::Applied,
                    Err(read) => {
                        tracing::warn!(code = %read.code, message = %read.message, "reading a resource back after an unclear answer");
                        false
                    }
                };
                if seen {
                    let note = format!(
                        " (AWS gave no clear answer — {}: {} — and reading it back showed the change)",
                        f.code, f.message
                    );
                    self.succeeded(asked, Some(note)).await
                } else {
                    self.checking(f, registered.or(asked)).await
                }
            }
        }
    }

    /// Sets the autoscaling range of the service a scale changes, as its caller.
    async fn set_range(&self, range: (i32, i32)) -> Result<(), ActionFailure> {
        let Some((cluster, service, _)) = self.command.range_change() else {
            return Ok(());
        };
        self.services
            .actions
            .set_scaling_range(
                &self.env,
                &AwsActor::of(&self.caller),
                cluster,
                service,
                range,
            )
            .await
    }

    /// Puts a scale's autoscaling range back after the count could not be set; says what
    /// became of it (nothing when the scale changed no range).
    async fn restore_range(&self) -> String {
        let Some((_, _, range)) = self.command.range_change() else {
            return String::new();
        };
        let (min, max) = range.from;
        match self.set_range(range.from).await {
            Ok(()) => format!(" (the desired count was not changed; the autoscaling range was put back to {min}–{max})"),
            Err(e) => {
                tracing::warn!(code = %e.code, message = %e.message, "could not put an autoscaling range back after a failed scale");
                format!(
                    " (the desired count was not changed; the autoscaling range was changed to {}–{} and could not be put back to {min}–{max}: {}: {})",
                    range.to.0, range.to.1, e.code, e.message
                )
            }
        }
    }

    /// Deregisters a revision registered for a change AWS refused; says what became of it.
    async fn discard(&self, arn: &str) -> String {
        let label = crate::domain::inventory::revision_label_from_arn(arn);
        match self
            .services
            .actions
            .deregister_revision(&self.env, &AwsActor::of(&self.caller), arn)
            .await
        {
            Ok(()) => format!(
                " (the service was not changed; the revision registered for this deploy, {label}, was deregistered again)"
            ),
            Err(e) => {
                tracing::warn!(code = %e.code, message = %e.message, arn = %arn, "could not deregister after a failed deploy");
                format!(
                    " (the service was not changed; {label} was registered and could not be deregistered again)"
                )
            }
        }
    }

    async fn succeeded(&self, revision: Option<String>, note: Option<String>) -> ActionResult {
        let detail = format!("{}{}", self.started.summary, note.unwrap_or_default());
        self.conclude(
            ActionStatus::Succeeded,
            revision,
            AuditOutcome::Succeeded,
            detail,
        )
        .await
    }

    async fn failed(
        &self,
        code: String,
        message: String,
        revision: Option<String>,
    ) -> ActionResult {
        let detail = format!("{code}: {message}");
        self.conclude(
            ActionStatus::Failed { code, message },
            revision,
            AuditOutcome::Failed,
            detail,
        )
        .await
    }

    async fn not_run(&self, reason: String) -> ActionResult {
        self.conclude(
            ActionStatus::NotRun {
                reason: reason.clone(),
            },
            None,
            AuditOutcome::Failed,
            reason,
        )
        .await
    }

    async fn checking(&self, f: ActionFailure, revision: Option<String>) -> ActionResult {
        let detail = format!(
            "{}: {} — AWS may have made the change and the resource does not show it yet; it is read again until the outcome is known",
            f.code, f.message
        );
        self.conclude(
            ActionStatus::Checking {
                code: f.code,
                message: f.message,
            },
            revision,
            AuditOutcome::Checking,
            detail,
        )
        .await
    }

    /// Records the outcome with its audit row, announces it and, after a change, re-reads the
    /// touched resource (answering within a few seconds; the read finishes in the background).
    async fn conclude(
        &self,
        status: ActionStatus,
        revision: Option<String>,
        word: AuditOutcome,
        detail: String,
    ) -> ActionResult {
        let at = Utc::now();
        // A change to a service that succeeded is followed until ECS ends its rollout.
        let follow = matches!(status, ActionStatus::Succeeded)
            .then(|| {
                to_follow(
                    &self.record,
                    &self.command,
                    &self.started,
                    revision.as_deref(),
                    at,
                )
            })
            .flatten();
        let result = ActionResult {
            status,
            at,
            rollout: follow.as_ref().map(|_| RolloutOutcome::Following),
            revision,
            ..self.started.clone()
        };
        let entry = action_audit(
            &self.caller,
            self.record.kind,
            &self.record.env,
            &self.record.target,
            word,
            detail,
        );
        let result =
            record_outcome(&self.services, &self.record, result, entry, follow.as_ref()).await;
        if matches!(result.status, ActionStatus::Succeeded) {
            let inventory = self.services.inventory.clone();
            let env = self.env.clone();
            let resource = self.command.resource();
            let refresh = tokio::spawn(async move {
                if let Err(e) = inventory.refresh_resource(&env, &resource).await {
                    tracing::warn!(error = %e, env = %env, resource = ?resource, "refresh after an action");
                }
            });
            if tokio::time::timeout(REFRESH_WAIT, refresh).await.is_err() {
                tracing::info!(env = %self.env, "refresh after an action is still running");
            }
        }
        result
    }
}

/// The rollout to follow after `command` succeeded at `at`: what it set (`revision`: the one it
/// pointed the service at), for whom, and for which release request.
fn to_follow(
    record: &ActionRecord,
    command: &ActionCommand,
    so_far: &ActionResult,
    revision: Option<&str>,
    at: DateTime<Utc>,
) -> Option<NewRollout> {
    let (cluster, service, expected) = command.follows(revision)?;
    Some(NewRollout {
        env: record.env.clone(),
        cluster,
        service,
        kind: record.kind,
        summary: so_far.summary.clone(),
        actor: so_far.actor.clone(),
        release: record.key.release_id(),
        expected,
        since: at,
    })
}

/// Writes `result` with its audit row if the action is still unsettled (and starts following the
/// rollout `follow`, in the same transaction), announces it, and answers what the action's record
/// now says (another writer's outcome, if it was first).
async fn record_outcome(
    services: &AppServices,
    record: &ActionRecord,
    result: ActionResult,
    entry: AuditEntry,
    follow: Option<&NewRollout>,
) -> ActionResult {
    let recorded = match follow {
        Some(follow) => {
            services
                .action_store
                .finish_following(record, &result, entry, follow)
                .await
        }
        None => services.action_store.finish(record, &result, entry).await,
    };
    services
        .live
        .publish(super::live::LiveKind::Action, &record.env, None);
    match recorded {
        Ok(true) => result,
        Ok(false) => {
            tracing::warn!(
                key = record.key.as_str(),
                "an action's outcome was already recorded; keeping that one"
            );
            services
                .action_store
                .finished(&record.key, &record.actor_id, &record.env, record.kind)
                .await
                .ok()
                .flatten()
                .unwrap_or(result)
        }
        Err(e) => {
            // The outcome row is missing. Say so loudly; the intent row stands and the sweeper
            // settles it from the resource.
            let chain = crate::error::error_chain(&e);
            tracing::error!(error = %chain, key = record.key.as_str(), "recording an action's outcome");
            result
        }
    }
}

/// One pass of the action sweeper: every action started more than `after` ago whose outcome is
/// still not recorded — being checked after an unclear answer, or running when a process
/// stopped — is settled by reading its resource, with an audit row written as the job:
/// succeeded when the change shows, failed when the resource is still as before (a revision
/// registered for it is deregistered then), and otherwise, or when the resource cannot be read,
/// "outcome unknown" with why. Answers how many it settled.
pub async fn settle(
    services: &AppServices,
    now: DateTime<Utc>,
    after: chrono::Duration,
) -> Result<usize, AppError> {
    let stale = services
        .action_store
        .unsettled(now - after)
        .await
        .context("listing unsettled actions")?;
    let mut settled = 0;
    for action in stale {
        if settle_one(services, action).await {
            settled += 1;
        }
    }
    Ok(settled)
}

async fn settle_one(services: &AppServices, action: Unsettled) -> bool {
    let job = Caller::job(SETTLER);
    let record = &action.record;
    let so_far = action.result.clone();
    // The revision the service was to run: a deploy's registered one (once noted), a
    // rollback's target.
    let revision = so_far.as_ref().and_then(|r| r.revision.clone());
    // Only a revision registered for this action is ever deregistered.
    let registered = revision
        .clone()
        .filter(|_| matches!(&action.command, Some(c) if c.registers().is_some()));
    // The answer that left it open, or the stop that did.
    let code = match so_far.as_ref().map(|r| &r.status) {
        Some(ActionStatus::Checking { code, .. }) => code.clone(),
        _ => "Interrupted".to_string(),
    };
    let env = EnvId::parse(&record.env).ok();
    let read = match (&action.command, &env) {
        (Some(command), Some(env)) => Some(services.actions.observe(env, command).await),
        _ => None,
    };
    let settled = match (&action.command, read) {
        (Some(command), Some(Ok(observed))) => {
            let intended = command.intended(registered.as_deref(), action.started_at);
            settle_reading(reconcile(&intended, &observed))
        }
        (_, Some(Err(f))) => Settled::Unknown(format!(
            "outcome unknown: {} could not be read ({}: {})",
            record.target, f.code, f.message
        )),
        _ => Settled::Unknown(
            "outcome unknown: the action was recorded without what it ran, so its resource cannot be checked"
                .to_string(),
        ),
    };
    let summary = so_far
        .as_ref()
        .map(|r| r.summary.clone())
        .unwrap_or_else(|| record.target.clone());
    let (status, word, detail, revision) = match settled {
        Settled::Succeeded => (
            ActionStatus::Succeeded,
            AuditOutcome::Succeeded,
            format!("{summary} (settled by reading the resource after {code})"),
            revision.clone(),
        ),
        Settled::Failed(why) => {
            let mut message = why;
            if let (Some(arn), Some(env)) = (&registered, &env) {
                let label = crate::domain::inventory::revision_label_from_arn(arn);
                match services
                    .actions
                    .deregister_revision(env, &AwsActor::of(&job), arn)
                    .await
                {
                    Ok(()) => message.push_str(&format!(
                        " (the revision registered for it, {label}, was deregistered)"
                    )),
                    Err(e) => {
                        tracing::warn!(code = %e.code, message = %e.message, arn = %arn, "deregistering a revision of a deploy not applied");
                        message.push_str(&format!(
                            " ({label} was registered for it and could not be deregistered)"
                        ));
                    }
                }
            }
            let detail = format!("{code}: {message}");
            (
                ActionStatus::Failed {
                    code: code.clone(),
                    message,
                },
                AuditOutcome::Failed,
                detail,
                None,
            )
        }
        Settled::Unknown(why) => (
            ActionStatus::Unknown {
                message: why.clone(),
            },
            AuditOutcome::Unknown,
            why,
            revision.clone(),
        ),
    };
    let mut result = ActionResult {
        kind: record.kind,
        env: record.env.clone(),
        target: record.target.clone(),
        status,
        summary,
        at: Utc::now(),
        actor: record.actor.clone(),
        key: record.key.as_str().to_string(),
        reason: so_far
            .and_then(|r| r.reason)
            .or_else(|| record.reason.clone()),
        revision,
        rollout: None,
    };
    // Applied: its rollout is followed from when the action started (when the change was made
    // is not known closer than that).
    let follow = match (&result.status, &action.command) {
        (ActionStatus::Succeeded, Some(command)) => to_follow(
            record,
            command,
            &result,
            result.revision.as_deref(),
            action.started_at,
        ),
        _ => None,
    };
    if follow.is_some() {
        result.rollout = Some(RolloutOutcome::Following);
    }
    let entry = action_audit(&job, record.kind, &record.env, &record.target, word, detail);
    let recorded = record_outcome(services, record, result.clone(), entry, follow.as_ref()).await;
    if let (ActionStatus::Succeeded, Some(command), Some(env)) =
        (&recorded.status, &action.command, env)
    {
        // Show the change: re-read the resource in the background.
        let inventory = services.inventory.clone();
        let resource = command.resource();
        tokio::spawn(async move {
            if let Err(e) = inventory.refresh_resource(&env, &resource).await {
                tracing::warn!(error = %e, env = %env, resource = ?resource, "refresh after settling an action");
            }
        });
    }
    recorded == result
}
