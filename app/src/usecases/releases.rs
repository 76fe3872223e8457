//! The approval gate's one path. A gated action in a protected environment becomes a release
//! request; people with the approver role (never the requester, never through a token) approve
//! or reject it; reaching the threshold runs it exactly once — the move `approved → executing` is
//! a conditional update only one caller wins, on any number of processes — outside freeze
//! windows, unless an admin breaks glass. The run first checks that the service still is what the
//! request was made against, so an approval never reverts a later change. A sweep picks up
//! approved requests (after a restart, or when a freeze ends), expires stale ones and finishes
//! those whose action settled late. Every step is audited with its caller: the person, or the
//! console's own job.

use super::access::{authorized_state, visible_states};
use super::execution::{action_audit, execute_recorded, into_response, Answer, ANSWER_WAIT};
use super::prepare::Prepared;
use super::services::AppServices;
use crate::domain::actions::{ActionKind, ActionResult, ActionStatus, IdempotencyKey};
use crate::domain::approvals::{
    check_break_glass, check_cancel, check_execute, check_vote, Actor, Notice, NoticeEvent,
    Refusal, Release, ReleaseEvent, ReleaseState, Vote,
};
use crate::domain::audit::{AuditEntry, AuditKind, AuditOutcome};
use crate::domain::caller::{Caller, SYSTEM_ACTOR};
use crate::domain::execution::CheckedAt;
use crate::domain::policy::{Action, Principal};
use crate::error::AppError;
use crate::ports::{EnvState, NewRelease, PortResult, ReleaseCreated, ReleaseQuery};
use chrono::Utc;

/// The job that runs approved requests (after a vote, break glass or the sweep).
pub const EXECUTOR: &str = "release executor";

/// How long an `executing` request without an action may stay so before the sweep calls it
/// stopped before it ran.
const STALE_EXECUTION: chrono::Duration = chrono::Duration::minutes(10);

/// An audit entry about one step of a release request.
fn release_audit(
    caller: &Caller,
    release: &Release,
    kind: AuditKind,
    outcome: AuditOutcome,
    detail: Option<String>,
) -> AuditEntry {
    AuditEntry::new(caller, kind, outcome)
        .env(release.env.as_str())
        .target(format!("release {}: {}", release.id, release.target))
        .maybe_detail(detail)
}

/// A refusal of the approval rules as the error the person sees.
pub(crate) fn refusal_error(refusal: Refusal) -> AppError {
    match refusal {
        Refusal::ViaToken
        | Refusal::NotApprover { .. }
        | Refusal::SelfApproval
        | Refusal::NotRequesterOrAdmin
        | Refusal::BreakGlassRefused => AppError::Forbidden(refusal.to_string()),
        Refusal::NotOpen(_)
        | Refusal::Expired(_)
        | Refusal::AlreadyVoted
        | Refusal::NotCancellable(_)
        | Refusal::NotApproved(_)
        | Refusal::Frozen { .. }
        | Refusal::FrozenNow { .. } => AppError::Conflict(refusal.to_string()),
    }
}

/// Checks a ticket link: an http(s) URL of at most 500 characters.
pub fn parse_ticket_url(text: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let ok = text.len() <= 500
        && (text.starts_with("https://") || text.starts_with("http://"))
        && text.parse::<http::Uri>().is_ok_and(|u| u.host().is_some())
        && !text.chars().any(char::is_whitespace);
    if ok {
        Ok(Some(text.to_string()))
    } else {
        Err(AppError::Invalid(format!(
            "the ticket link {text:?} is not an http(s) URL of at most 500 characters"
        )))
    }
}

/// Records a release request instead of running a gated action: answers where it waits, and
/// whether this call recorded it (`false`: the same key had already recorded it).
pub async fn request_release(
    caller: &Caller,
    services: &AppServices,
    state: &EnvState,
    kind: ActionKind,
    key: &IdempotencyKey,
    prepared: Prepared,
) -> Result<(ActionResult, bool), AppError> {
    let env = state.descriptor.id.to_string();
    let reason = prepared.reason.clone().unwrap_or_default();
    if reason.trim().chars().count() < 3 {
        return Err(AppError::Invalid(format!(
            "{kind} in {env} needs approval: give a reason (at least 3 characters) for the people who will review it"
        )));
    }
    let policy = &state.descriptor.approval;
    let now = Utc::now();
    let release = NewRelease {
        request_key: key.clone(),
        env: env.clone(),
        kind,
        target: prepared.target.clone(),
        command: prepared.command.clone(),
        summary: prepared.summary.clone(),
        changes: prepared.changes.clone(),
        reason: reason.clone(),
        ticket_url: prepared.ticket_url.clone(),
        requester: caller.name().to_string(),
        requester_id: caller.id().clone(),
        via_token: caller.token().map(|(_, name)| name.to_string()),
        required: policy.required,
        created_at: now,
        expires_at: now + chrono::Duration::seconds(policy.expires_after_secs),
        group: prepared.group.clone(),
        diff: prepared.diff.clone(),
    };
    let entry = action_audit(
        caller,
        kind,
        &env,
        &prepared.target,
        AuditOutcome::ApprovalRequested,
        format!("{} — {reason}", prepared.summary),
    );
    let (id, created) = match services
        .releases
        .create(&release, entry)
        .await
        .context("recording a release request")?
    {
        ReleaseCreated::Created(id) => (id, true),
        ReleaseCreated::Found(id) => (id, false),
        ReleaseCreated::GroupTaken => {
            return Err(group_taken(release.group.as_deref().unwrap_or_default()))
        }
        ReleaseCreated::GroupClosed => {
            return Err(AppError::Conflict(format!(
                "the promotion {} was closed when it was recorded; promote again with a new request key",
                release.group.as_deref().unwrap_or_default()
            )))
        }
    };
    if created {
        announce(
            services,
            id,
            NoticeEvent::Requested,
            caller.name(),
            Some(reason.clone()),
        )
        .await;
    }
    Ok((
        ActionResult {
            kind,
            env,
            target: prepared.target,
            status: ActionStatus::AwaitingApproval { release: id },
            summary: prepared.summary,
            at: now,
            actor: caller.name().to_string(),
            key: key.as_str().to_string(),
            reason: Some(reason),
            revision: None,
            rollout: None,
        },
        created,
    ))
}

/// The refusal of a promotion group key someone else (or another environment) holds: it says
/// nothing about their requests.
pub fn group_taken(group: &str) -> AppError {
    AppError::Conflict(format!(
        "the request key {group} already names another promotion; promote again with a new request key"
    ))
}

/// Checks that promotion group `group` is free for the caller in `env`: nobody opened it yet,
/// or the caller did, there (a retry). Checked again when each request joins the group.
pub async fn check_group_free(
    caller: &Caller,
    services: &AppServices,
    env: &str,
    group: &str,
) -> Result<(), AppError> {
    let owner = services
        .releases
        .group_owner(group)
        .await
        .context("reading a promotion group")?;
    match owner {
        Some(owner) if owner.env != env || owner.creator_id != *caller.id() => {
            Err(group_taken(group))
        }
        _ => Ok(()),
    }
}

/// Closes promotion group `group` once its promotion has recorded its requests: nothing joins
/// it afterwards.
pub async fn close_group(services: &AppServices, group: &str) -> Result<(), AppError> {
    services
        .releases
        .close_group(group)
        .await
        .context("closing a promotion group")
}

/// One request the caller may see: the environment must be visible to them.
pub async fn visible_release(
    caller: &Caller,
    services: &AppServices,
    id: i64,
) -> Result<(Release, EnvState), AppError> {
    let release = services
        .releases
        .get(id)
        .await
        .context("reading a release")?
        .ok_or_else(|| AppError::NotFound(format!("there is no release request #{id}")))?;
    let state = authorized_state(caller, services, &release.env, Action::View).await?;
    Ok((release, state))
}

/// Who acts on a request or an action in `state`'s environment, for the approval rules.
pub(crate) fn actor_of<'a>(user: &'a Principal, state: &EnvState) -> Actor<'a> {
    Actor {
        id: &user.id,
        name: &user.name,
        role: user.grants.role_in(&state.descriptor.id),
        via_token: user.method == crate::domain::policy::AuthMethod::Token,
    }
}

/// Audits a refused step and turns it into the error the person sees.
async fn refuse(
    services: &AppServices,
    caller: &Caller,
    release: &Release,
    step: AuditKind,
    refusal: Refusal,
) -> AppError {
    let entry = release_audit(
        caller,
        release,
        step,
        AuditOutcome::Denied,
        Some(refusal.to_string()),
    );
    if let Err(e) = services
        .audit
        .record(entry)
        .await
        .context("auditing a refused release step")
    {
        return e;
    }
    refusal_error(refusal)
}

/// Approves or rejects a request; reaching the threshold runs it (once) unless a freeze holds it.
pub async fn vote(
    caller: &Caller,
    services: &AppServices,
    id: i64,
    approve: bool,
    comment: Option<String>,
) -> Result<Release, AppError> {
    let (release, state) = visible_release(caller, services, id).await?;
    let policy = &state.descriptor.approval;
    let now = Utc::now();
    let step = if approve {
        AuditKind::ReleaseApprove
    } else {
        AuditKind::ReleaseReject
    };
    if let Err(refusal) = check_vote(policy, &release, actor_of(&caller.principal, &state), now) {
        return Err(refuse(services, caller, &release, step, refusal).await);
    }
    let vote = Vote {
        by: caller.name().to_string(),
        by_id: caller.id().clone(),
        approve,
        comment: comment.clone(),
        at: now,
    };
    let outcome = if approve {
        AuditOutcome::Approved
    } else {
        AuditOutcome::Rejected
    };
    let entry = release_audit(caller, &release, step, outcome, comment);
    let after = services
        .releases
        .vote(id, &vote, release.required, entry)
        .await
        .context("recording a vote")?
        .ok_or_else(|| AppError::Conflict(Refusal::AlreadyVoted.to_string()))?;
    let event = if approve {
        NoticeEvent::Approved
    } else {
        NoticeEvent::Rejected
    };
    announce(services, id, event, caller.name(), vote.comment.clone()).await;
    if after == ReleaseState::Approved {
        // The outcome (even an AWS refusal) is on the request itself; the vote stands either way.
        run_detached(services, id, None).await;
    }
    reload(services, id).await
}

/// Approves or rejects every open request of a promotion group this person may vote on, each
/// through [`vote`] with its own checks and audit row; the ones refused are listed, not fatal.
pub async fn vote_group(
    caller: &Caller,
    services: &AppServices,
    group: &str,
    approve: bool,
    comment: Option<String>,
) -> Result<crate::domain::approvals::GroupVote, AppError> {
    let group = IdempotencyKey::parse(group)
        .map_err(|_| AppError::Invalid(format!("{group:?} is not a promotion group")))?;
    let members = list_group(&caller.principal, services, group.as_str()).await?;
    if members.is_empty() {
        return Err(AppError::NotFound(format!(
            "there is no promotion group {} among the requests you may see",
            group.as_str()
        )));
    }
    let mut outcome = crate::domain::approvals::GroupVote {
        group: group.as_str().to_string(),
        voted: Vec::new(),
        refused: Vec::new(),
    };
    for release in members
        .iter()
        .filter(|r| r.state == ReleaseState::Requested)
    {
        match vote(caller, services, release.id, approve, comment.clone()).await {
            Ok(_) => outcome.voted.push(release.id),
            Err(e @ (AppError::Forbidden(_) | AppError::Conflict(_) | AppError::Invalid(_))) => {
                outcome.refused.push((release.id, e.to_string()))
            }
            Err(e) => return Err(e),
        }
    }
    if outcome.voted.is_empty() {
        let why = outcome
            .refused
            .first()
            .map(|(id, why)| format!(" (#{id}: {why})"))
            .unwrap_or_default();
        return Err(AppError::Conflict(format!(
            "no request of this group took your vote{why}"
        )));
    }
    Ok(outcome)
}

/// The requests of one promotion group the person may see, oldest first.
pub async fn list_group(
    user: &Principal,
    services: &AppServices,
    group: &str,
) -> Result<Vec<Release>, AppError> {
    IdempotencyKey::parse(group)
        .map_err(|_| AppError::Invalid(format!("{group:?} is not a promotion group")))?;
    let visible: Vec<String> = visible_states(user, services)
        .into_iter()
        .map(|s| s.descriptor.id.to_string())
        .collect();
    let mut members = services
        .releases
        .list(&ReleaseQuery {
            envs: visible,
            state: None,
            requester: None,
            target: None,
            group: Some(group.to_string()),
            limit: 500,
        })
        .await
        .context("listing a promotion group")?;
    members.reverse();
    Ok(members)
}

async fn reload(services: &AppServices, id: i64) -> Result<Release, AppError> {
    services
        .releases
        .get(id)
        .await
        .context("reading a release")?
        .ok_or_else(|| AppError::NotFound(format!("there is no release request #{id}")))
}

/// Cancels a request before it runs: the requester or an admin.
pub async fn cancel(
    caller: &Caller,
    services: &AppServices,
    id: i64,
    comment: Option<String>,
) -> Result<Release, AppError> {
    let (release, state) = visible_release(caller, services, id).await?;
    if let Err(refusal) = check_cancel(&release, actor_of(&caller.principal, &state)) {
        return Err(refuse(
            services,
            caller,
            &release,
            AuditKind::ReleaseCancel,
            refusal,
        )
        .await);
    }
    let (event, moved) = step(
        services,
        &release,
        &[ReleaseState::Requested, ReleaseState::Approved],
        ReleaseState::Cancelled,
        Step {
            at: Utc::now(),
            caller,
            what: "cancelled",
            detail: comment.clone(),
            audit_kind: AuditKind::ReleaseCancel,
            outcome: AuditOutcome::Cancelled,
        },
        "cancelling a release",
    )
    .await?;
    if !moved {
        return Err(AppError::Conflict(
            "this request moved on while you were looking (it may be running); reload the page"
                .into(),
        ));
    }
    announce(
        services,
        id,
        NoticeEvent::Cancelled,
        caller.name(),
        event.detail.clone(),
    )
    .await;
    reload(services, id).await
}

/// An admin runs an approved request inside a freeze window, with a reason.
pub async fn break_glass(
    caller: &Caller,
    services: &AppServices,
    id: i64,
    reason: String,
) -> Result<Release, AppError> {
    let (release, state) = visible_release(caller, services, id).await?;
    if let Err(refusal) = check_break_glass(&release, actor_of(&caller.principal, &state), &reason)
    {
        return Err(refuse(
            services,
            caller,
            &release,
            AuditKind::ReleaseBreakGlass,
            refusal,
        )
        .await);
    }
    run_detached(
        services,
        id,
        Some((caller.clone(), reason.trim().to_string())),
    )
    .await;
    reload(services, id).await
}

/// Runs an approved request in a task of its own and waits for it a few seconds: the person's
/// request may end (a closed tab, a navigation, a proxy's timeout) while AWS is being called, and
/// the run must not end with it. The request page shows the outcome once it is recorded.
async fn run_detached(services: &AppServices, id: i64, break_glass: Option<(Caller, String)>) {
    let services = services.clone();
    let run = tokio::spawn(async move {
        let glass = break_glass
            .as_ref()
            .map(|(admin, reason)| (admin, reason.as_str()));
        try_execute(&services, id, glass).await
    });
    match tokio::time::timeout(ANSWER_WAIT, run).await {
        Ok(Ok(Ok(_))) => {}
        Ok(Ok(Err(e))) => tracing::warn!(release = id, error = %e, "running an approved release"),
        Ok(Err(e)) => {
            tracing::error!(release = id, error = %e, "the task running a release failed")
        }
        Err(_) => tracing::info!(release = id, "an approved release is still running"),
    }
}

/// The state a release ends in, from its action's result, with the text it keeps; `None` while
/// the action's outcome is not known (the action sweeper settles it, then the release sweep
/// finishes the release).
fn release_outcome(result: &ActionResult) -> Option<(ReleaseState, String)> {
    match &result.status {
        ActionStatus::Succeeded => Some((ReleaseState::Succeeded, result.summary.clone())),
        ActionStatus::Failed { code, message } => {
            Some((ReleaseState::Failed, format!("{code}: {message}")))
        }
        ActionStatus::NotRun { reason } => Some((ReleaseState::Failed, reason.clone())),
        ActionStatus::Unknown { message } => Some((ReleaseState::Failed, message.clone())),
        ActionStatus::AwaitingApproval { release } => Some((
            ReleaseState::Failed,
            format!("the approved change was sent for approval again (#{release})"),
        )),
        ActionStatus::Running | ActionStatus::Checking { .. } => None,
    }
}

/// Moves an executing request to its outcome with the result text, announced, unless another
/// caller (the run itself, or the sweep) already did.
async fn finish_release(
    services: &AppServices,
    release: &Release,
    to: ReleaseState,
    text: String,
) -> Result<(), AppError> {
    let system = Caller::job(EXECUTOR);
    let (_, moved) = step(
        services,
        release,
        &[ReleaseState::Executing],
        to,
        Step {
            at: Utc::now(),
            caller: &system,
            what: to.as_str(),
            detail: Some(text.clone()),
            audit_kind: AuditKind::ReleaseExecute,
            outcome: if to == ReleaseState::Succeeded {
                AuditOutcome::Succeeded
            } else {
                AuditOutcome::Failed
            },
        },
        "finishing a release",
    )
    .await?;
    if !moved {
        return Ok(());
    }
    services
        .releases
        .annotate(release.id, Some(&text), None)
        .await
        .context("recording a release's result")?;
    let finished = if to == ReleaseState::Succeeded {
        NoticeEvent::Succeeded
    } else {
        NoticeEvent::Failed
    };
    announce(services, release.id, finished, SYSTEM_ACTOR, Some(text)).await;
    Ok(())
}

/// Runs an approved request if nothing holds it: not expired, not frozen (unless `break_glass`
/// names the admin and the reason). Only the caller that moves it to `executing` runs it.
pub async fn try_execute(
    services: &AppServices,
    id: i64,
    break_glass: Option<(&Caller, &str)>,
) -> Result<Option<ActionResult>, AppError> {
    let Some(release) = services
        .releases
        .get(id)
        .await
        .context("reading a release")?
    else {
        return Ok(None);
    };
    let env_id = crate::domain::ids::EnvId::parse(&release.env)?;
    let Some(state) = services.inventory.state(&env_id) else {
        return Ok(None);
    };
    let policy = &state.descriptor.approval;
    let now = Utc::now();
    match check_execute(policy, &release, now, break_glass.is_some()) {
        Ok(()) => {}
        Err(Refusal::Expired(_)) => {
            expire(services, &release).await?;
            return Ok(None);
        }
        Err(_) => return Ok(None),
    }
    let system = Caller::job(EXECUTOR);
    let (actor, detail, outcome) = match break_glass {
        Some((admin, reason)) => (
            admin,
            Some(format!("BREAK GLASS during a freeze: {reason}")),
            AuditOutcome::BreakGlass,
        ),
        None => (
            &system,
            Some(format!(
                "approved by {}",
                release
                    .votes
                    .iter()
                    .filter(|v| v.approve)
                    .map(|v| v.by.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            AuditOutcome::Executing,
        ),
    };
    let (event, won) = step(
        services,
        &release,
        &[ReleaseState::Approved],
        ReleaseState::Executing,
        Step {
            at: now,
            caller: actor,
            what: "executing",
            detail: detail.clone(),
            audit_kind: AuditKind::ReleaseExecute,
            outcome,
        },
        "starting a release",
    )
    .await?;
    if !won {
        return Ok(None);
    }
    let started = if break_glass.is_some() {
        NoticeEvent::BreakGlass
    } else {
        NoticeEvent::Executing
    };
    announce(services, id, started, actor.name(), event.detail.clone()).await;
    if let Some((_, reason)) = break_glass {
        services
            .releases
            .annotate(id, None, Some(reason))
            .await
            .context("recording break glass")?;
    }
    let command = services
        .releases
        .command(id)
        .await
        .context("reading a release's command")?
        .ok_or_else(|| AppError::internal("reading a release's command", &"missing"))?;
    let prepared = Prepared {
        target: release.target.clone(),
        params: serde_json::json!({ "release": id }),
        summary: release.summary.clone(),
        command,
        confirm_name: String::new(),
        reason: Some(release.reason.clone()),
        changes: release.changes.clone(),
        ticket_url: release.ticket_url.clone(),
        diff: release.diff.clone(),
        group: release.group.clone(),
    };
    let key = IdempotencyKey::for_release(id);
    let ran = execute_recorded(
        &Caller::job_for(EXECUTOR, &release.requester, &release.requester_id),
        services,
        &env_id,
        release.kind,
        &key,
        prepared,
        CheckedAt::Approval,
        Answer::WhenDone,
    )
    .await;
    let outcome = match &ran {
        Ok(result) => release_outcome(result),
        Err(e) => Some((ReleaseState::Failed, e.to_string())),
    };
    if let Some((to, text)) = outcome {
        finish_release(services, &release, to, text).await?;
    }
    ran.and_then(into_response).map(Some)
}

async fn expire(services: &AppServices, release: &Release) -> Result<(), AppError> {
    let system = Caller::job(EXECUTOR);
    let (event, moved) = step(
        services,
        release,
        &[ReleaseState::Requested, ReleaseState::Approved],
        ReleaseState::Expired,
        Step {
            at: Utc::now(),
            caller: &system,
            what: "expired",
            detail: Some(format!(
                "not run by {}",
                release.expires_at.format("%Y-%m-%d %H:%M UTC")
            )),
            audit_kind: AuditKind::ReleaseExpire,
            outcome: AuditOutcome::Expired,
        },
        "expiring a release",
    )
    .await?;
    if moved {
        announce(
            services,
            release.id,
            NoticeEvent::Expired,
            SYSTEM_ACTOR,
            event.detail.clone(),
        )
        .await;
    }
    Ok(())
}

/// One move of a request: its history entry and audit row.
struct Step<'a> {
    at: chrono::DateTime<Utc>,
    caller: &'a Caller,
    what: &'a str,
    detail: Option<String>,
    audit_kind: AuditKind,
    outcome: AuditOutcome,
}

/// Moves `release` from one of `from` to `to` with the step's history entry and audit row, if it
/// is still in one of `from`. Answers the history entry and whether this caller made the move.
async fn step(
    services: &AppServices,
    release: &Release,
    from: &[ReleaseState],
    to: ReleaseState,
    step: Step<'_>,
    context: &'static str,
) -> Result<(ReleaseEvent, bool), AppError> {
    let event = ReleaseEvent {
        at: step.at,
        actor: step.caller.name().to_string(),
        what: step.what.to_string(),
        detail: step.detail.clone(),
    };
    let entry = release_audit(
        step.caller,
        release,
        step.audit_kind,
        step.outcome,
        step.detail,
    );
    let moved = services
        .releases
        .transition(release.id, from, to, &event, entry)
        .await
        .context(context)?;
    Ok((event, moved))
}

/// Tells the webhooks what happened, with the request as it now stands. Never fails the step.
async fn announce(
    services: &AppServices,
    id: i64,
    event: NoticeEvent,
    actor: &str,
    detail: Option<String>,
) {
    match services.releases.get(id).await {
        Ok(Some(release)) => {
            services
                .live
                .publish(super::live::LiveKind::Release, &release.env, Some(id));
            let notice = Notice {
                event,
                release,
                actor: actor.to_string(),
                at: Utc::now(),
                detail,
                url: format!("{}/releases/{id}", services.public_url),
            };
            super::webhooks::notify(services, notice.body()).await;
        }
        Ok(None) => {}
        Err(e) => {
            let chain = crate::error::error_chain(&e);
            tracing::warn!(release = id, error = %chain, "reading a release for its notice")
        }
    }
}

/// One pass of the background job: expire stale requests, run approved ones nothing holds, and
/// finish executing ones whose action has settled (its outcome recorded by the action sweeper
/// after an unclear answer or a stopped process), or that stopped before their action began.
pub async fn sweep(services: &AppServices) -> Result<(), AppError> {
    let now = Utc::now();
    let pending = services
        .releases
        .ids_in(&[
            ReleaseState::Requested,
            ReleaseState::Approved,
            ReleaseState::Executing,
        ])
        .await
        .context("listing pending releases")?;
    for id in pending {
        let Some(release) = services
            .releases
            .get(id)
            .await
            .context("reading a release")?
        else {
            continue;
        };
        match release.state {
            ReleaseState::Requested if release.expired_at(now) => {
                expire(services, &release).await?
            }
            ReleaseState::Approved => {
                if let Err(e) = try_execute(services, id, None).await {
                    tracing::warn!(release = id, error = %e, "running an approved release");
                }
            }
            ReleaseState::Executing => {
                // Its action's outcome, once settled (by the run or the action sweeper), is
                // the request's; no action at all means the run stopped before calling AWS.
                let action = services
                    .action_store
                    .finished(
                        &IdempotencyKey::for_release(id),
                        &release.requester_id,
                        &release.env,
                        release.kind,
                    )
                    .await
                    .context("reading a release's action")?;
                let since = release
                    .history
                    .last()
                    .map(|e| e.at)
                    .unwrap_or(release.created_at);
                let outcome = match action {
                    Some(result) => release_outcome(&result),
                    None if now - since > STALE_EXECUTION => Some((
                        ReleaseState::Failed,
                        "the console stopped before running it: AWS was not called and nothing was changed".to_string(),
                    )),
                    None => None,
                };
                if let Some((to, text)) = outcome {
                    finish_release(services, &release, to, text).await?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether `release` waits for `user`'s vote, in one of the environments `states` they see:
/// the navigation badge and the "awaiting my approval" filter.
pub fn awaits_vote_of(
    user: &Principal,
    states: &[EnvState],
    release: &Release,
    now: chrono::DateTime<Utc>,
) -> bool {
    states
        .iter()
        .find(|s| s.descriptor.id.as_str() == release.env)
        .is_some_and(|s| {
            crate::domain::approvals::awaits(
                &s.descriptor.approval,
                release,
                (&user.id, &user.name),
                user.grants.role_in(&s.descriptor.id),
                now,
            )
        })
}

/// The requests a person may see, newest first.
pub async fn list(
    user: &Principal,
    services: &AppServices,
    env: Option<&str>,
    state: Option<ReleaseState>,
    mine: bool,
) -> Result<Vec<Release>, AppError> {
    let visible: Vec<String> = visible_states(user, services)
        .into_iter()
        .map(|s| s.descriptor.id.to_string())
        .filter(|e| env.is_none_or(|wanted| wanted == e))
        .collect();
    services
        .releases
        .list(&ReleaseQuery {
            envs: visible,
            state,
            requester: mine.then(|| user.id.clone()),
            target: None,
            group: None,
            limit: 200,
        })
        .await
        .context("listing releases")
}
