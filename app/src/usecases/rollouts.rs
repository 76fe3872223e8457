//! The rollout follower, a background job: every change to a service that succeeded (deploy,
//! rollback, redeploy, promotion, scale) is followed until ECS ends its rollout. Each pass reads
//! the services with rollouts due — one batched DescribeServices per cluster, at most ten
//! services a call, never per page view — and judges each reading
//! (`domain::followed::judge`). A rollout still going is noted as read; one that ended is
//! recorded once, in one transaction: the followed row, the outcome in its action's result, a
//! history entry on its release request and an audit row of the job (`rollout_completed`,
//! `rolled_back`, …); then the webhooks are told (`action.rolled_back`, …), the pages announced,
//! and the service re-read into the snapshot.

use super::services::AppServices;
use crate::domain::approvals::ReleaseEvent;
use crate::domain::audit::{AuditEntry, AuditKind};
use crate::domain::caller::Caller;
use crate::domain::followed::{
    audit_outcome, end_detail, end_notice, judge, FollowedRollout, Verdict,
};
use crate::domain::ids::EnvId;
use crate::domain::inventory::{ResourceRef, Service};
use crate::domain::load_balancing::{targets_ready, TargetsReady};
use crate::domain::rollout_outcome::RolloutOutcome;
use crate::error::AppError;
use crate::ports::PortResult;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The job, as the audit log names it.
pub const FOLLOWER: &str = "rollout follower";

/// How many followed rollouts one pass reads at most.
const PASS_LIMIT: i64 = 500;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    /// Rollouts read this pass.
    pub read: usize,
    /// Rollouts that ended this pass.
    pub ended: usize,
}

/// One pass: reads the services of every followed rollout due (read `every` ago, or started
/// `every` ago and never read) and records what each reading says.
pub async fn follow(
    services: &AppServices,
    now: DateTime<Utc>,
    every: chrono::Duration,
) -> Result<Pass, AppError> {
    let due: Vec<FollowedRollout> = services
        .rollouts
        .following(PASS_LIMIT)
        .await
        .context("listing followed rollouts")?
        .into_iter()
        .filter(|r| r.due(now, every))
        .collect();
    // One read per environment and cluster, of every service due there.
    let mut by_cluster: BTreeMap<(String, String), Vec<FollowedRollout>> = BTreeMap::new();
    for rollout in due {
        by_cluster
            .entry((rollout.env.clone(), rollout.cluster.clone()))
            .or_default()
            .push(rollout);
    }
    let mut pass = Pass::default();
    for ((env, cluster), rollouts) in by_cluster {
        let Ok(env_id) = EnvId::parse(&env) else {
            tracing::warn!(env = %env, "a followed rollout in an environment that is not valid");
            continue;
        };
        let mut names: Vec<String> = rollouts.iter().map(|r| r.service.clone()).collect();
        names.sort();
        names.dedup();
        let read = match services
            .rollout_reader
            .services(&env_id, &cluster, &names)
            .await
        {
            Ok(read) => read,
            Err(e) => {
                // Read again next pass; the timeout still runs from the change.
                let chain = crate::error::error_chain(&e);
                tracing::warn!(env = %env, cluster = %cluster, error = %chain, "reading services for their rollouts");
                continue;
            }
        };
        for rollout in rollouts {
            let service = read.iter().find(|s| s.name == rollout.service);
            pass.read += 1;
            if step(services, &env_id, rollout, service, now).await? {
                pass.ended += 1;
            }
        }
    }
    Ok(pass)
}

/// Why a rollout ECS completed is not finished yet: its new tasks are not all healthy behind
/// the service's load balancer (`domain::load_balancing::targets_ready`), or their health could
/// not be read. `None` when they are, or the service has no target group.
async fn targets_waiting(services: &AppServices, env: &EnvId, service: &Service) -> Option<String> {
    if service
        .load_balancers
        .iter()
        .all(|a| a.target_group_arn.is_empty())
    {
        return None;
    }
    match services.rollout_reader.targets(env, service).await {
        Ok((groups, addresses)) => match targets_ready(&groups, &addresses, service.desired) {
            TargetsReady::Ready => None,
            TargetsReady::Waiting(why) => Some(why),
        },
        Err(e) => Some(format!(
            "the targets could not be read: {}",
            crate::error::error_chain(&e)
        )),
    }
}

/// Judges one reading of one rollout and records it; true when the rollout ended here.
async fn step(
    services: &AppServices,
    env: &EnvId,
    rollout: FollowedRollout,
    service: Option<&Service>,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let mut reading = judge(
        &rollout.expected,
        rollout.since,
        rollout.seen.as_ref(),
        service,
        now,
        services.rollout_timeout,
    );
    if let (Verdict::Ended(RolloutOutcome::Completed), Some(service)) = (&reading.verdict, service)
    {
        if let Some(waiting) = targets_waiting(services, env, service).await {
            tracing::info!(env = %rollout.env, target = %rollout.target(), waiting = %waiting, "rollout complete in ECS; waiting for its targets");
            reading.verdict = if now - rollout.since > services.rollout_timeout {
                Verdict::Ended(RolloutOutcome::Stuck {
                    minutes: services.rollout_timeout.num_minutes(),
                })
            } else {
                Verdict::Pending
            };
        }
    }
    let outcome = match reading.verdict {
        Verdict::Pending => {
            services
                .rollouts
                .checked(rollout.id, reading.seen.as_ref(), now)
                .await
                .context("noting a rollout's reading")?;
            return Ok(false);
        }
        Verdict::Ended(outcome) => outcome,
    };
    let job = Caller::job(FOLLOWER);
    let detail = end_detail(&rollout, &outcome);
    let audit = AuditEntry::new(
        &job,
        AuditKind::Action(rollout.kind),
        audit_outcome(&outcome),
    )
    .env(rollout.env.clone())
    .target(rollout.target())
    .detail(detail.clone());
    let event = rollout.release.map(|_| ReleaseEvent {
        at: now,
        actor: job.name().to_string(),
        what: outcome.label(),
        detail: Some(detail),
    });
    let ended = services
        .rollouts
        .end(
            rollout.id,
            &outcome,
            reading.seen.as_ref(),
            event.as_ref(),
            audit,
        )
        .await
        .context("recording the end of a rollout")?;
    if !ended {
        return Ok(false);
    }
    tracing::info!(env = %rollout.env, target = %rollout.target(), outcome = %outcome.label(), "rollout ended");
    let url = match rollout.release {
        Some(id) => format!("{}/releases/{id}", services.public_url),
        None => format!(
            "{}/envs/{}/services/{}/{}",
            services.public_url, rollout.env, rollout.cluster, rollout.service
        ),
    };
    super::webhooks::notify(services, end_notice(&rollout, &outcome, now, &url)).await;
    services
        .live
        .publish(super::live::LiveKind::Action, &rollout.env, None);
    if let Some(id) = rollout.release {
        services
            .live
            .publish(super::live::LiveKind::Release, &rollout.env, Some(id));
    }
    // Show the service as it ended: re-read it into the snapshot, in the background.
    let inventory = services.inventory.clone();
    let env = env.clone();
    let resource = ResourceRef::Service {
        cluster: rollout.cluster.clone(),
        name: rollout.service.clone(),
    };
    tokio::spawn(async move {
        if let Err(e) = inventory.refresh_resource(&env, &resource).await {
            tracing::warn!(error = %e, env = %env, resource = ?resource, "refresh after a rollout ended");
        }
    });
    Ok(true)
}
