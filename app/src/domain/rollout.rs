//! How far a service's deployment has got, from what DescribeServices reports: the PRIMARY
//! deployment's rollout state when ECS gives one (circuit breaker), else whether the new
//! revision runs its desired count, bounded by a timeout so "still going" never lasts forever.
//! A deployment ECS failed while an older one is PRIMARY again is a rollback by ECS, never
//! "completed"; [`rollout_with`] adds what the console learnt following its own last change to
//! the service (`domain::followed`), which outlasts the failed deployment in ECS's list.

use super::followed::FollowedRollout;
use super::inventory::{revision_label_from_arn, Deployment, Service};
use super::rollout_outcome::RolloutOutcome;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rollout {
    /// Nothing is changing: one deployment, at its desired count.
    Steady,
    /// The new revision is coming up.
    InProgress {
        running: i32,
        desired: i32,
        old_tasks: i32,
    },
    Completed,
    Failed {
        reason: String,
    },
    /// ECS failed the newest deployment and moved the service back to `to` (`family:revision`),
    /// with ECS's reason; `at` is when the console saw it end, if it followed it.
    RolledBack {
        reason: String,
        to: String,
        at: Option<DateTime<Utc>>,
    },
    /// Still not settled after the timeout: someone should look.
    TimedOut {
        since: DateTime<Utc>,
    },
    /// ECS reported nothing to judge by.
    Unknown,
}

/// How long a deployment may take before the console calls it stuck, unless configured.
pub use super::followed::DEFAULT_TIMEOUT_MINUTES;

pub fn rollout(service: &Service, now: DateTime<Utc>, timeout: Duration) -> Rollout {
    let Some(primary) = service.deployments.iter().find(|d| d.status == "PRIMARY") else {
        return Rollout::Unknown;
    };
    // A deployment newer than the PRIMARY that ECS failed: the PRIMARY is the one it went back to.
    if let Some(failed) = service.deployments.iter().find(|d| {
        d.status != "PRIMARY"
            && d.rollout_state.as_deref() == Some("FAILED")
            && match (d.created_at, primary.created_at) {
                (Some(failed), Some(primary)) => failed > primary,
                _ => true,
            }
    }) {
        return Rollout::RolledBack {
            reason: failed
                .rollout_reason
                .clone()
                .unwrap_or_else(|| "ECS reported the rollout as failed".into()),
            to: revision_label_from_arn(&primary.task_definition_arn),
            at: None,
        };
    }
    let others: Vec<&Deployment> = service
        .deployments
        .iter()
        .filter(|d| d.status == "ACTIVE")
        .collect();
    let old_tasks: i32 = others.iter().map(|d| d.running).sum();
    match primary.rollout_state.as_deref() {
        Some("FAILED") => {
            return Rollout::Failed {
                reason: primary
                    .rollout_reason
                    .clone()
                    .unwrap_or_else(|| "ECS reported the rollout as failed".into()),
            }
        }
        Some("COMPLETED") if others.is_empty() => {
            return if primary
                .updated_at
                .is_some_and(|t| now - t < Duration::minutes(5))
            {
                Rollout::Completed
            } else {
                Rollout::Steady
            }
        }
        _ => {}
    }
    let settled = others.is_empty() && primary.running == primary.desired && primary.pending == 0;
    if settled {
        return if primary.rollout_state.as_deref() == Some("IN_PROGRESS") {
            Rollout::InProgress {
                running: primary.running,
                desired: primary.desired,
                old_tasks,
            }
        } else {
            Rollout::Steady
        };
    }
    if let Some(started) = primary.created_at {
        if now - started > timeout {
            return Rollout::TimedOut { since: started };
        }
    }
    Rollout::InProgress {
        running: primary.running,
        desired: primary.desired,
        old_tasks,
    }
}

/// The rollout as the service page shows it: [`rollout`], unless the console's own last change
/// to the service (`followed`) says more — ECS rolled it back, failed it, or it is stuck — and
/// nothing has been deployed since.
pub fn rollout_with(
    service: &Service,
    followed: Option<&FollowedRollout>,
    now: DateTime<Utc>,
    timeout: Duration,
) -> Rollout {
    let live = rollout(service, now, timeout);
    let Some(followed) = followed.filter(|f| f.is_current(service)) else {
        return live;
    };
    match &followed.outcome {
        RolloutOutcome::RolledBack { reason, to } => Rollout::RolledBack {
            reason: reason.clone(),
            to: to.clone().unwrap_or_else(|| service.revision_label()),
            at: followed.ended_at,
        },
        RolloutOutcome::Failed { reason } => Rollout::Failed {
            reason: reason.clone(),
        },
        RolloutOutcome::Stuck { .. } if !matches!(live, Rollout::Steady | Rollout::Completed) => {
            Rollout::TimedOut {
                since: followed.since,
            }
        }
        _ => live,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::collections::BTreeMap;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
    }

    /// A deployment as DescribeServices reports it.
    fn dep(
        status: &str,
        rollout: Option<&str>,
        running: i32,
        desired: i32,
        pending: i32,
        age_min: i64,
    ) -> Deployment {
        Deployment {
            id: format!("ecs-svc/{status}{age_min}"),
            status: status.into(),
            task_definition_arn: "arn:aws:ecs:eu-west-1:1:task-definition/web:7".into(),
            desired,
            running,
            pending,
            failed_tasks: 0,
            rollout_state: rollout.map(str::to_string),
            rollout_reason: (rollout == Some("FAILED"))
                .then(|| "ECS deployment circuit breaker: tasks failed to start.".to_string()),
            created_at: Some(now() - Duration::minutes(age_min)),
            updated_at: Some(now() - Duration::minutes((age_min - 2).max(0))),
        }
    }

    fn service(deployments: Vec<Deployment>) -> Service {
        Service {
            cluster: "main".into(),
            name: "web".into(),
            arn: "arn".into(),
            status: "ACTIVE".into(),
            desired: 4,
            running: 4,
            pending: 0,
            launch_type: Some("FARGATE".into()),
            task_definition_arn: "arn:aws:ecs:eu-west-1:1:task-definition/web:7".into(),
            task_definition: None,
            deployments,
            events: vec![],
            tasks: vec![],
            tags: BTreeMap::new(),
            app: None,
            created_at: None,
            autoscaling: None,
            scaling_policies: vec![],
            circuit_breaker: None,
            load_balancers: vec![],
        }
    }

    #[test]
    fn rollouts_read_from_recorded_describe_services_shapes() {
        let timeout = Duration::minutes(DEFAULT_TIMEOUT_MINUTES);
        let cases = vec![
            ("no deployments", vec![], Rollout::Unknown),
            (
                "steady old",
                vec![dep("PRIMARY", Some("COMPLETED"), 4, 4, 0, 600)],
                Rollout::Steady,
            ),
            (
                "new primary starting, old still serving",
                vec![
                    dep("PRIMARY", Some("IN_PROGRESS"), 1, 4, 2, 3),
                    dep("ACTIVE", Some("COMPLETED"), 4, 4, 0, 600),
                ],
                Rollout::InProgress {
                    running: 1,
                    desired: 4,
                    old_tasks: 4,
                },
            ),
            (
                "new primary up, old draining",
                vec![
                    dep("PRIMARY", Some("IN_PROGRESS"), 4, 4, 0, 6),
                    dep("ACTIVE", None, 1, 0, 0, 600),
                ],
                Rollout::InProgress {
                    running: 4,
                    desired: 4,
                    old_tasks: 1,
                },
            ),
            (
                "just completed",
                vec![dep("PRIMARY", Some("COMPLETED"), 4, 4, 0, 2)],
                Rollout::Completed,
            ),
            (
                "circuit breaker",
                vec![
                    dep("PRIMARY", Some("FAILED"), 0, 4, 0, 12),
                    dep("ACTIVE", Some("COMPLETED"), 4, 4, 0, 600),
                ],
                Rollout::Failed {
                    reason: "ECS deployment circuit breaker: tasks failed to start.".into(),
                },
            ),
            (
                "circuit breaker with rollback: ours FAILED, the old PRIMARY again",
                vec![
                    dep("PRIMARY", Some("IN_PROGRESS"), 4, 4, 0, 600),
                    dep("ACTIVE", Some("FAILED"), 0, 0, 0, 12),
                ],
                Rollout::RolledBack {
                    reason: "ECS deployment circuit breaker: tasks failed to start.".into(),
                    to: "web:7".into(),
                    at: None,
                },
            ),
            (
                "the rollback completed: never 'completed', while the failed one is listed",
                vec![
                    dep("PRIMARY", Some("COMPLETED"), 4, 4, 0, 600),
                    dep("INACTIVE", Some("FAILED"), 0, 0, 0, 12),
                ],
                Rollout::RolledBack {
                    reason: "ECS deployment circuit breaker: tasks failed to start.".into(),
                    to: "web:7".into(),
                    at: None,
                },
            ),
            (
                "an old failure before the current deployment is history",
                vec![
                    dep("PRIMARY", Some("COMPLETED"), 4, 4, 0, 2),
                    dep("INACTIVE", Some("FAILED"), 0, 0, 0, 600),
                ],
                Rollout::Completed,
            ),
            (
                "stuck past the timeout",
                vec![
                    dep("PRIMARY", Some("IN_PROGRESS"), 2, 4, 2, 45),
                    dep("ACTIVE", None, 2, 2, 0, 600),
                ],
                Rollout::TimedOut {
                    since: now() - Duration::minutes(45),
                },
            ),
            (
                "no rollout state (old API), at desired",
                vec![dep("PRIMARY", None, 4, 4, 0, 20)],
                Rollout::Steady,
            ),
            (
                "no rollout state, still starting",
                vec![dep("PRIMARY", None, 3, 4, 1, 4)],
                Rollout::InProgress {
                    running: 3,
                    desired: 4,
                    old_tasks: 0,
                },
            ),
        ];
        for (what, deployments, expected) in cases {
            assert_eq!(
                rollout(&service(deployments), now(), timeout),
                expected,
                "{what}"
            );
        }
    }

    #[test]
    fn the_consoles_followed_rollout_says_rolled_back_once_ecs_forgot_the_failed_deployment() {
        use crate::domain::actions::ActionKind;
        use crate::domain::followed::{Expected, FollowedRollout};
        use crate::domain::rollout_outcome::RolloutOutcome;
        let timeout = Duration::minutes(DEFAULT_TIMEOUT_MINUTES);
        let reason = "ECS deployment circuit breaker: tasks failed to start.";
        let followed = |outcome: RolloutOutcome, ended: Option<i64>| FollowedRollout {
            id: 1,
            env: "prod".into(),
            cluster: "main".into(),
            service: "web".into(),
            kind: ActionKind::Deploy,
            summary: "image app → web:8".into(),
            actor: "ana".into(),
            release: None,
            expected: Expected::Revision("arn:aws:ecs:eu-west-1:1:task-definition/web:8".into()),
            since: now() - Duration::minutes(12),
            seen: None,
            outcome,
            checked_at: None,
            ended_at: ended.map(|m| now() - Duration::minutes(m)),
        };
        let rolled_back = followed(
            RolloutOutcome::RolledBack {
                reason: reason.into(),
                to: Some("web:7".into()),
            },
            Some(3),
        );
        // The old deployment is PRIMARY and COMPLETED again; the failed one is gone from the list.
        let back = service(vec![dep("PRIMARY", Some("COMPLETED"), 4, 4, 0, 600)]);
        assert_eq!(rollout(&back, now(), timeout), Rollout::Steady);
        assert_eq!(
            rollout_with(&back, Some(&rolled_back), now(), timeout),
            Rollout::RolledBack {
                reason: reason.into(),
                to: "web:7".into(),
                at: Some(now() - Duration::minutes(3)),
            }
        );
        // A deploy since: the rollback is history, the live state speaks.
        let newer = service(vec![dep("PRIMARY", Some("COMPLETED"), 4, 4, 0, 1)]);
        assert_eq!(
            rollout_with(&newer, Some(&rolled_back), now(), timeout),
            Rollout::Completed
        );
        // A completed rollout adds nothing; one still followed shows the live progress.
        let completed = followed(RolloutOutcome::Completed, Some(3));
        assert_eq!(
            rollout_with(&back, Some(&completed), now(), timeout),
            Rollout::Steady
        );
        assert_eq!(rollout_with(&back, None, now(), timeout), Rollout::Steady);
    }
}
