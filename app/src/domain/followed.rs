//! Following the rollout an action set off, as pure rules: an action that changed a service
//! (deploy, rollback, redeploy, promotion, scale) is not over when UpdateService answers — ECS
//! still has to start the new tasks, and with the deployment circuit breaker it may fail the
//! deployment and move the service back. [`judge`] reads the service as DescribeServices reports
//! it against what the action set ([`Expected`]) and says whether the rollout is still going or
//! how it ended ([`RolloutOutcome`]):
//! - completed: the PRIMARY deployment runs the action's revision and ECS calls it COMPLETED
//!   (without rollout states: it runs its desired count and no other deployment is left); for a
//!   scale, the service runs the count asked for;
//! - rolled back by ECS: the action's deployment is FAILED while another is PRIMARY, or another
//!   deployment that ran before it is PRIMARY again, with ECS's `rolloutStateReason`;
//! - failed: ECS failed the deployment and, without a rollback configured, left it PRIMARY;
//! - replaced: a later change (another deploy, a new desired count, a deleted service) took over;
//! - stuck: none of these by the timeout after the action ran.
//!
//! It also words the audit detail and builds the webhook body of the end.

use super::actions::ActionKind;
use super::audit::AuditOutcome;
use super::chat::neutralise_mentions;
use super::inventory::{revision_label_from_arn, Deployment, Service};
use super::rollout_outcome::RolloutOutcome;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long a rollout may take before the console calls it stuck, unless configured
/// (`server.rollout_timeout`).
pub const DEFAULT_TIMEOUT_MINUTES: i64 = 30;

/// How far AWS's clock may be behind the console's when a deployment's start is compared with
/// the moment the action ran.
const CLOCK_SKEW: Duration = Duration::seconds(5);

/// What the action set, to recognise its rollout in the service's deployments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    /// A deploy, rollback or promotion: a deployment of this task definition (ARN).
    Revision(String),
    /// A forced new deployment of this task definition, started after the action ran.
    Redeploy(String),
    /// A scale: the service runs this many tasks.
    Desired(i32),
}

impl Expected {
    /// The task definition the action's deployment runs, if it makes one.
    pub fn revision(&self) -> Option<&str> {
        match self {
            Expected::Revision(arn) | Expected::Redeploy(arn) => Some(arn),
            Expected::Desired(_) => None,
        }
    }
}

/// The action's own deployment, once seen: its id and, once ECS failed it, the reason it gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenDeployment {
    pub id: String,
    pub reason: Option<String>,
}

/// A rollout the console follows: the action it belongs to and what the followed row holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowedRollout {
    pub id: i64,
    pub env: String,
    pub cluster: String,
    pub service: String,
    pub kind: ActionKind,
    /// The action's summary (`image app → …:1.1.0`).
    pub summary: String,
    /// Who ran the action, for showing.
    pub actor: String,
    /// The release request the action ran for, if any.
    pub release: Option<i64>,
    pub expected: Expected,
    /// When the change was made (UpdateService answered).
    pub since: DateTime<Utc>,
    pub seen: Option<SeenDeployment>,
    pub outcome: RolloutOutcome,
    pub checked_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl FollowedRollout {
    /// `cluster/service`.
    pub fn target(&self) -> String {
        super::inventory::service_key(&self.cluster, &self.service)
    }

    /// Whether it is read this round: never checked yet and `every` old, or checked `every` ago.
    pub fn due(&self, now: DateTime<Utc>, every: Duration) -> bool {
        !self.outcome.is_final() && now - self.checked_at.unwrap_or(self.since) >= every
    }

    /// Whether it still describes the service as it is: it is going on, or it ended and no
    /// deployment of the service started since (a minute's grace for ECS's own moves).
    pub fn is_current(&self, service: &Service) -> bool {
        let Some(ended) = self.ended_at else {
            return true;
        };
        !service
            .deployments
            .iter()
            .filter_map(|d| d.created_at)
            .any(|started| started > ended + Duration::minutes(1))
    }
}

/// What one reading of the service says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Still going: read it again.
    Pending,
    Ended(RolloutOutcome),
}

/// A verdict, and the action's deployment as this reading saw it (kept for the next one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub verdict: Verdict,
    pub seen: Option<SeenDeployment>,
}

const FAILED: &str = "FAILED";
const COMPLETED: &str = "COMPLETED";
const PRIMARY: &str = "PRIMARY";
const INACTIVE: &str = "INACTIVE";

fn label_of(d: &Deployment) -> String {
    revision_label_from_arn(&d.task_definition_arn)
}

/// The action's deployment among the service's: the one seen before (by id), else the newest
/// running the action's revision (for a redeploy, one started after the action ran).
fn ours<'a>(
    expected: &Expected,
    since: DateTime<Utc>,
    seen: Option<&SeenDeployment>,
    service: &'a Service,
) -> Option<&'a Deployment> {
    if let Some(seen) = seen {
        return service.deployments.iter().find(|d| d.id == seen.id);
    }
    let (arn, after) = match expected {
        Expected::Revision(arn) => (arn, None),
        Expected::Redeploy(arn) => (arn, Some(since - CLOCK_SKEW)),
        Expected::Desired(_) => return None,
    };
    service
        .deployments
        .iter()
        .filter(|d| d.task_definition_arn == *arn)
        .filter(|d| after.is_none_or(|after| d.created_at.is_some_and(|c| c >= after)))
        .max_by_key(|d| d.created_at)
}

/// Judges one reading of the service (`None`: it no longer exists) for the rollout `followed`
/// set off at `since`; `seen` is the action's deployment as earlier readings saw it. Still going
/// `timeout` after `since` is stuck.
pub fn judge(
    expected: &Expected,
    since: DateTime<Utc>,
    seen: Option<&SeenDeployment>,
    service: Option<&Service>,
    now: DateTime<Utc>,
    timeout: Duration,
) -> Reading {
    let ended = |outcome, seen: Option<SeenDeployment>| Reading {
        verdict: Verdict::Ended(outcome),
        seen,
    };
    let Some(service) = service else {
        return ended(
            RolloutOutcome::Replaced {
                by: "the service no longer exists".into(),
            },
            seen.cloned(),
        );
    };
    let pending = |seen: Option<SeenDeployment>| {
        if now - since > timeout {
            Reading {
                verdict: Verdict::Ended(RolloutOutcome::Stuck {
                    minutes: timeout.num_minutes(),
                }),
                seen,
            }
        } else {
            Reading {
                verdict: Verdict::Pending,
                seen,
            }
        }
    };
    let primary = service.deployments.iter().find(|d| d.status == PRIMARY);
    let live = service
        .deployments
        .iter()
        .filter(|d| d.status != INACTIVE)
        .count();
    if let Expected::Desired(n) = expected {
        if service.desired != *n {
            return ended(
                RolloutOutcome::Replaced {
                    by: format!("the desired count is now {}", service.desired),
                },
                None,
            );
        }
        return if service.running == *n && service.pending == 0 && live <= 1 {
            ended(RolloutOutcome::Completed, None)
        } else {
            pending(None)
        };
    }
    match ours(expected, since, seen, service) {
        Some(d) => {
            let failed = d.rollout_state.as_deref() == Some(FAILED);
            // The reason kept is the one ECS gave when it failed the deployment.
            let seen_now = SeenDeployment {
                id: d.id.clone(),
                reason: d
                    .rollout_reason
                    .clone()
                    .filter(|_| failed)
                    .or_else(|| seen.and_then(|s| s.reason.clone())),
            };
            let reason = || {
                seen_now
                    .reason
                    .clone()
                    .unwrap_or_else(|| "ECS marked the deployment as failed".to_string())
            };
            let is_primary = d.status == PRIMARY;
            if failed {
                if !is_primary {
                    return ended(
                        RolloutOutcome::RolledBack {
                            reason: reason(),
                            to: primary.map(label_of),
                        },
                        Some(seen_now),
                    );
                }
                // With a rollback configured, ECS moves the service back next.
                let rolls_back = service.circuit_breaker.is_some_and(|c| c.rollback);
                return if rolls_back {
                    pending(Some(seen_now))
                } else {
                    ended(RolloutOutcome::Failed { reason: reason() }, Some(seen_now))
                };
            }
            if is_primary {
                let done = match d.rollout_state.as_deref() {
                    Some(COMPLETED) => true,
                    Some(_) => false,
                    None => d.running >= d.desired && d.pending == 0 && live <= 1,
                };
                return if done {
                    ended(RolloutOutcome::Completed, Some(seen_now))
                } else {
                    pending(Some(seen_now))
                };
            }
            // Ours is no longer PRIMARY and ECS did not fail it: an older deployment made
            // PRIMARY again is a move back, a newer one another change.
            match primary {
                Some(p) if p.created_at > d.created_at => ended(
                    RolloutOutcome::Replaced {
                        by: format!("a later deployment of {}", label_of(p)),
                    },
                    Some(seen_now),
                ),
                Some(p) => ended(
                    RolloutOutcome::RolledBack {
                        reason: seen_now.reason.clone().unwrap_or_else(|| {
                            format!("ECS moved the service back to {}", label_of(p))
                        }),
                        to: Some(label_of(p)),
                    },
                    Some(seen_now),
                ),
                None => pending(Some(seen_now)),
            }
        }
        None => match (seen, primary) {
            // Seen before and gone from the list: what is PRIMARY now tells.
            (Some(seen), Some(p))
                if Some(p.task_definition_arn.as_str()) != expected.revision() =>
            {
                if p.created_at.is_some_and(|c| c >= since - CLOCK_SKEW) {
                    ended(
                        RolloutOutcome::Replaced {
                            by: format!("a later deployment of {}", label_of(p)),
                        },
                        Some(seen.clone()),
                    )
                } else {
                    ended(
                        RolloutOutcome::RolledBack {
                            reason: seen.reason.clone().unwrap_or_else(|| {
                                format!("ECS moved the service back to {}", label_of(p))
                            }),
                            to: Some(label_of(p)),
                        },
                        Some(seen.clone()),
                    )
                }
            }
            (seen, _) => pending(seen.cloned()),
        },
    }
}

/// The outcome of the audit row written when a rollout ends.
pub fn audit_outcome(outcome: &RolloutOutcome) -> AuditOutcome {
    match outcome {
        RolloutOutcome::Following => AuditOutcome::Succeeded,
        RolloutOutcome::Completed => AuditOutcome::RolloutCompleted,
        RolloutOutcome::RolledBack { .. } => AuditOutcome::RolledBack,
        RolloutOutcome::Failed { .. } => AuditOutcome::RolloutFailed,
        RolloutOutcome::Replaced { .. } => AuditOutcome::RolloutReplaced,
        RolloutOutcome::Stuck { .. } => AuditOutcome::RolloutStuck,
    }
}

/// The audit detail of a rollout's end: `<summary>: rolled back by ECS: <reason>`.
pub fn end_detail(rollout: &FollowedRollout, outcome: &RolloutOutcome) -> String {
    let mut detail = format!("{}: {}", rollout.summary, outcome.label());
    if let RolloutOutcome::RolledBack { to: Some(to), .. } = outcome {
        detail.push_str(&format!(" (the service runs {to} again)"));
    }
    detail
}

/// The webhook body of a rollout's end, in the release notices' format (Slack's `text` plus
/// structured fields); person-written and AWS-sourced text has its chat markup neutralised.
pub fn end_notice(
    rollout: &FollowedRollout,
    outcome: &RolloutOutcome,
    at: DateTime<Utc>,
    url: &str,
) -> serde_json::Value {
    let target = neutralise_mentions(&rollout.target());
    let summary = neutralise_mentions(&rollout.summary);
    let what = format!(
        "{} {target} in {}",
        rollout.kind.as_str().replace('_', " "),
        rollout.env
    );
    let outcome_words = neutralise_mentions(&outcome.label());
    let release = rollout
        .release
        .map(|id| format!(" (release #{id})"))
        .unwrap_or_default();
    let text = match outcome {
        RolloutOutcome::Completed => {
            format!("Rollout completed: {what}{release}: {summary} <{url}>")
        }
        _ if outcome.is_bad() => format!(
            "{}: {what}{release}: {summary} — {outcome_words} <{url}>",
            match outcome {
                RolloutOutcome::RolledBack { .. } => "ROLLED BACK by ECS",
                RolloutOutcome::Failed { .. } => "Rollout FAILED",
                _ => "Rollout STUCK",
            }
        ),
        _ => format!("{what}{release}: {summary} — {outcome_words} <{url}>"),
    };
    serde_json::json!({
        "text": text,
        "event": outcome.event(),
        "at": at.to_rfc3339(),
        "env": rollout.env,
        "kind": rollout.kind.as_str(),
        "target": target,
        "summary": summary,
        "actor": neutralise_mentions(&rollout.actor),
        "rollout": outcome.as_str(),
        "detail": outcome_words,
        "release": rollout.release,
        "url": url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::inventory::{CircuitBreaker, TaskDefinition};
    use crate::domain::test_time::at;

    const WEB5: &str = "arn:aws:ecs:eu-west-1:1:task-definition/web:5";
    const WEB6: &str = "arn:aws:ecs:eu-west-1:1:task-definition/web:6";
    const WEB7: &str = "arn:aws:ecs:eu-west-1:1:task-definition/web:7";
    const REASON: &str = "ECS deployment circuit breaker: tasks failed to start.";
    const IN_PROGRESS: &str = "IN_PROGRESS";

    fn since() -> DateTime<Utc> {
        at("2026-12-22T10:00:00Z")
    }

    /// A deployment as DescribeServices reports it, started `started` minutes after `since`
    /// (negative: before).
    fn dep(
        id: &str,
        status: &str,
        td: &str,
        rollout: Option<&str>,
        counts: (i32, i32, i32),
        started: i64,
    ) -> Deployment {
        let (running, desired, pending) = counts;
        Deployment {
            id: id.into(),
            status: status.into(),
            task_definition_arn: td.into(),
            desired,
            running,
            pending,
            failed_tasks: if rollout == Some(FAILED) { 3 } else { 0 },
            rollout_state: rollout.map(str::to_string),
            rollout_reason: match rollout {
                Some(FAILED) => Some(REASON.to_string()),
                Some(COMPLETED) => Some(format!("ECS deployment {id} completed.")),
                Some(_) => Some(format!("ECS deployment {id} in progress.")),
                None => None,
            },
            created_at: Some(since() + Duration::minutes(started)),
            updated_at: Some(since() + Duration::minutes(started.max(0) + 1)),
        }
    }

    /// Service `web` of cluster `main` with these counts and deployments, its circuit breaker
    /// rolling back.
    fn service(desired: i32, running: i32, deployments: Vec<Deployment>) -> Service {
        let td = TaskDefinition {
            arn: WEB5.into(),
            family: "web".into(),
            revision: 5,
            cpu: None,
            memory: None,
            containers: vec![],
            registered_at: None,
        };
        Service {
            desired,
            running,
            task_definition_arn: deployments
                .iter()
                .find(|d| d.status == PRIMARY)
                .map(|d| d.task_definition_arn.clone())
                .unwrap_or_default(),
            deployments,
            circuit_breaker: Some(CircuitBreaker {
                enable: true,
                rollback: true,
            }),
            ..crate::domain::fixtures::service("web", "shop", td, since())
        }
    }

    fn minutes(n: i64) -> DateTime<Utc> {
        since() + Duration::minutes(n)
    }

    fn rolled_back(to: &str) -> Verdict {
        Verdict::Ended(RolloutOutcome::RolledBack {
            reason: REASON.into(),
            to: Some(to.into()),
        })
    }

    fn seen(id: &str, reason: Option<&str>) -> SeenDeployment {
        SeenDeployment {
            id: id.into(),
            reason: reason.map(str::to_string),
        }
    }

    #[test]
    fn a_circuit_breaker_rollback_followed_over_time_ends_as_rolled_back_by_ecs() {
        let timeout = Duration::minutes(DEFAULT_TIMEOUT_MINUTES);
        let deploy = Expected::Revision(WEB6.into());
        // What DescribeServices reports, poll after poll, as the deploy of web:6 fails and ECS
        // moves the service back to web:5's deployment.
        let readings = [
            (
                "just after UpdateService: the new deployment starts, the old one serves",
                minutes(0),
                service(
                    2,
                    2,
                    vec![
                        dep(
                            "ecs-svc/new",
                            PRIMARY,
                            WEB6,
                            Some(IN_PROGRESS),
                            (0, 2, 2),
                            0,
                        ),
                        dep(
                            "ecs-svc/old",
                            "ACTIVE",
                            WEB5,
                            Some(COMPLETED),
                            (2, 2, 0),
                            -600,
                        ),
                    ],
                ),
                Verdict::Pending,
            ),
            (
                "tasks keep failing to start",
                minutes(4),
                service(
                    2,
                    2,
                    vec![
                        dep(
                            "ecs-svc/new",
                            PRIMARY,
                            WEB6,
                            Some(IN_PROGRESS),
                            (0, 2, 1),
                            0,
                        ),
                        dep(
                            "ecs-svc/old",
                            "ACTIVE",
                            WEB5,
                            Some(COMPLETED),
                            (2, 2, 0),
                            -600,
                        ),
                    ],
                ),
                Verdict::Pending,
            ),
            (
                "the breaker trips: ours FAILED, the old deployment PRIMARY again and rolling out",
                minutes(8),
                service(
                    2,
                    2,
                    vec![
                        dep(
                            "ecs-svc/old",
                            PRIMARY,
                            WEB5,
                            Some(IN_PROGRESS),
                            (2, 2, 0),
                            -600,
                        ),
                        dep("ecs-svc/new", "ACTIVE", WEB6, Some(FAILED), (0, 0, 0), 0),
                    ],
                ),
                rolled_back("web:5"),
            ),
            (
                "the rollback completes; ours is gone from the list",
                minutes(10),
                service(
                    2,
                    2,
                    vec![dep(
                        "ecs-svc/old",
                        PRIMARY,
                        WEB5,
                        Some(COMPLETED),
                        (2, 2, 0),
                        -600,
                    )],
                ),
                rolled_back("web:5"),
            ),
        ];
        let mut so_far: Option<SeenDeployment> = None;
        for (what, now, service, expected) in readings {
            let reading = judge(
                &deploy,
                since(),
                so_far.as_ref(),
                Some(&service),
                now,
                timeout,
            );
            assert_eq!(reading.verdict, expected, "{what}");
            // Once seen, ours keeps its id, and the reason ECS gave once is kept.
            assert_eq!(
                reading.seen.as_ref().map(|s| s.id.as_str()),
                Some("ecs-svc/new"),
                "{what}"
            );
            so_far = reading.seen;
        }
        assert_eq!(so_far, Some(seen("ecs-svc/new", Some(REASON))));
    }

    /// What a case is about, what the action set, its deployment as seen before, the service
    /// read, when, and the verdict.
    type Case<'a> = (
        &'a str,
        &'a Expected,
        Option<SeenDeployment>,
        Option<Service>,
        DateTime<Utc>,
        Verdict,
    );

    #[test]
    fn readings_of_a_service_say_how_each_kind_of_rollout_stands() {
        let timeout = Duration::minutes(DEFAULT_TIMEOUT_MINUTES);
        let deploy = Expected::Revision(WEB6.into());
        let redeploy = Expected::Redeploy(WEB5.into());
        let scale = Expected::Desired(4);
        let no_rollback = |mut s: Service| {
            s.circuit_breaker = Some(CircuitBreaker {
                enable: true,
                rollback: false,
            });
            s
        };
        let ended = Verdict::Ended;
        let cases: Vec<Case> = vec![
            (
                "deploy completed",
                &deploy,
                None,
                Some(service(
                    2,
                    2,
                    vec![dep("n", PRIMARY, WEB6, Some(COMPLETED), (2, 2, 0), 0)],
                )),
                minutes(6),
                ended(RolloutOutcome::Completed),
            ),
            (
                "no rollout states: new revision at its count, the old one drained",
                &deploy,
                None,
                Some(service(
                    2,
                    2,
                    vec![dep("n", PRIMARY, WEB6, None, (2, 2, 0), 0)],
                )),
                minutes(6),
                ended(RolloutOutcome::Completed),
            ),
            (
                "no rollout states: the old one still serves",
                &deploy,
                None,
                Some(service(
                    2,
                    3,
                    vec![
                        dep("n", PRIMARY, WEB6, None, (2, 2, 0), 0),
                        dep("o", "ACTIVE", WEB5, None, (1, 0, 0), -60),
                    ],
                )),
                minutes(6),
                Verdict::Pending,
            ),
            (
                "the new deployment not reported yet",
                &deploy,
                None,
                Some(service(
                    2,
                    2,
                    vec![dep("o", PRIMARY, WEB5, Some(COMPLETED), (2, 2, 0), -60)],
                )),
                minutes(1),
                Verdict::Pending,
            ),
            (
                "never showing up is stuck after the timeout",
                &deploy,
                None,
                Some(service(
                    2,
                    2,
                    vec![dep("o", PRIMARY, WEB5, Some(COMPLETED), (2, 2, 0), -60)],
                )),
                minutes(31),
                ended(RolloutOutcome::Stuck { minutes: 30 }),
            ),
            (
                "in progress past the timeout",
                &deploy,
                None,
                Some(service(
                    2,
                    2,
                    vec![
                        dep("n", PRIMARY, WEB6, Some(IN_PROGRESS), (1, 2, 1), 0),
                        dep("o", "ACTIVE", WEB5, Some(COMPLETED), (2, 2, 0), -60),
                    ],
                )),
                minutes(45),
                ended(RolloutOutcome::Stuck { minutes: 30 }),
            ),
            (
                "FAILED and still PRIMARY without a rollback: ECS leaves it",
                &deploy,
                None,
                Some(no_rollback(service(
                    2,
                    0,
                    vec![dep("n", PRIMARY, WEB6, Some(FAILED), (0, 2, 0), 0)],
                ))),
                minutes(9),
                ended(RolloutOutcome::Failed {
                    reason: REASON.into(),
                }),
            ),
            (
                "FAILED and still PRIMARY with a rollback configured: ECS moves back next",
                &deploy,
                None,
                Some(service(
                    2,
                    2,
                    vec![
                        dep("n", PRIMARY, WEB6, Some(FAILED), (0, 2, 0), 0),
                        dep("o", "ACTIVE", WEB5, Some(COMPLETED), (2, 2, 0), -60),
                    ],
                )),
                minutes(9),
                Verdict::Pending,
            ),
            (
                "another deploy after ours took over",
                &deploy,
                Some(seen("n", None)),
                Some(service(
                    2,
                    2,
                    vec![
                        dep("later", PRIMARY, WEB7, Some(IN_PROGRESS), (0, 2, 2), 5),
                        dep("n", "ACTIVE", WEB6, Some(IN_PROGRESS), (2, 2, 0), 0),
                    ],
                )),
                minutes(6),
                ended(RolloutOutcome::Replaced {
                    by: "a later deployment of web:7".into(),
                }),
            ),
            (
                "ours seen, then gone while a later deployment is PRIMARY",
                &deploy,
                Some(seen("n", None)),
                Some(service(
                    2,
                    2,
                    vec![dep("later", PRIMARY, WEB7, Some(COMPLETED), (2, 2, 0), 5)],
                )),
                minutes(20),
                ended(RolloutOutcome::Replaced {
                    by: "a later deployment of web:7".into(),
                }),
            ),
            (
                "ours seen, then gone while the old deployment is PRIMARY again",
                &deploy,
                Some(seen("n", Some(REASON))),
                Some(service(
                    2,
                    2,
                    vec![dep("o", PRIMARY, WEB5, Some(COMPLETED), (2, 2, 0), -60)],
                )),
                minutes(20),
                rolled_back("web:5"),
            ),
            (
                "the service was deleted",
                &deploy,
                None,
                None,
                minutes(3),
                ended(RolloutOutcome::Replaced {
                    by: "the service no longer exists".into(),
                }),
            ),
            (
                "redeploy: only a deployment started after the action is ours",
                &redeploy,
                None,
                Some(service(
                    2,
                    2,
                    vec![dep("o", PRIMARY, WEB5, Some(COMPLETED), (2, 2, 0), -60)],
                )),
                minutes(2),
                Verdict::Pending,
            ),
            (
                "redeploy completed",
                &redeploy,
                None,
                Some(service(
                    2,
                    2,
                    vec![dep("n", PRIMARY, WEB5, Some(COMPLETED), (2, 2, 0), 0)],
                )),
                minutes(4),
                ended(RolloutOutcome::Completed),
            ),
            (
                "redeploy rolled back to the same revision's older deployment",
                &redeploy,
                None,
                Some(service(
                    2,
                    2,
                    vec![
                        dep("o", PRIMARY, WEB5, Some(IN_PROGRESS), (2, 2, 0), -60),
                        dep("n", "ACTIVE", WEB5, Some(FAILED), (0, 0, 0), 0),
                    ],
                )),
                minutes(7),
                rolled_back("web:5"),
            ),
            (
                "scale done: the service runs the new count",
                &scale,
                None,
                Some(service(
                    4,
                    4,
                    vec![dep("o", PRIMARY, WEB5, Some(COMPLETED), (2, 2, 0), -60)],
                )),
                minutes(1),
                ended(RolloutOutcome::Completed),
            ),
            (
                "scale still starting tasks",
                &scale,
                None,
                Some(service(
                    4,
                    3,
                    vec![dep("o", PRIMARY, WEB5, Some(COMPLETED), (3, 4, 1), -60)],
                )),
                minutes(1),
                Verdict::Pending,
            ),
            (
                "scale: someone (or autoscaling) set another count",
                &scale,
                None,
                Some(service(
                    6,
                    4,
                    vec![dep("o", PRIMARY, WEB5, Some(COMPLETED), (4, 6, 2), -60)],
                )),
                minutes(1),
                ended(RolloutOutcome::Replaced {
                    by: "the desired count is now 6".into(),
                }),
            ),
        ];
        for (what, expected, so_far, service, now, verdict) in cases {
            let reading = judge(
                expected,
                since(),
                so_far.as_ref(),
                service.as_ref(),
                now,
                timeout,
            );
            assert_eq!(reading.verdict, verdict, "{what}");
        }
    }

    fn followed(outcome: RolloutOutcome, ended_at: Option<DateTime<Utc>>) -> FollowedRollout {
        FollowedRollout {
            id: 1,
            env: "prod".into(),
            cluster: "main".into(),
            service: "web".into(),
            kind: ActionKind::Deploy,
            summary: "image app → registry.example/web:1.1.0".into(),
            actor: "ana".into(),
            release: Some(7),
            expected: Expected::Revision(WEB6.into()),
            since: since(),
            seen: None,
            outcome,
            checked_at: None,
            ended_at,
        }
    }

    #[test]
    fn a_followed_rollout_is_read_when_due_and_describes_the_service_until_a_newer_deployment() {
        let every = Duration::seconds(15);
        let following = followed(RolloutOutcome::Following, None);
        assert!(!following.due(since() + Duration::seconds(14), every));
        assert!(following.due(since() + Duration::seconds(15), every));
        let checked = FollowedRollout {
            checked_at: Some(minutes(1)),
            ..following.clone()
        };
        assert!(!checked.due(minutes(1) + Duration::seconds(10), every));
        let done = followed(RolloutOutcome::Completed, Some(minutes(8)));
        assert!(!done.due(minutes(60), every));

        let back = service(
            2,
            2,
            vec![dep("o", PRIMARY, WEB5, Some(COMPLETED), (2, 2, 0), -600)],
        );
        assert!(done.is_current(&back));
        let redeployed_later = service(
            2,
            2,
            vec![dep("x", PRIMARY, WEB5, Some(COMPLETED), (2, 2, 0), 30)],
        );
        assert!(!done.is_current(&redeployed_later));
        assert!(following.is_current(&redeployed_later));
    }

    #[test]
    fn the_end_of_a_rollout_is_worded_for_the_audit_log_and_the_webhooks() {
        let outcome = RolloutOutcome::RolledBack {
            reason: REASON.into(),
            to: Some("web:5".into()),
        };
        let rollout = followed(RolloutOutcome::Following, None);
        assert_eq!(
            end_detail(&rollout, &outcome),
            format!("image app → registry.example/web:1.1.0: rolled back by ECS: {REASON} (the service runs web:5 again)")
        );
        assert_eq!(audit_outcome(&outcome), AuditOutcome::RolledBack);
        let body = end_notice(
            &rollout,
            &outcome,
            minutes(9),
            "https://qd.example/envs/prod/services/main/web",
        );
        assert_eq!(body["event"], "action.rolled_back");
        assert_eq!(body["rollout"], "rolled_back");
        assert_eq!(body["release"], 7);
        assert_eq!(body["detail"], format!("rolled back by ECS: {REASON}"));
        let text = body["text"].as_str().unwrap();
        assert!(
            text.starts_with("ROLLED BACK by ECS: deploy main/web in prod (release #7)"),
            "{text}"
        );
        let completed = end_notice(&rollout, &RolloutOutcome::Completed, minutes(9), "u");
        assert_eq!(completed["event"], "action.rollout_completed");
        // AWS's words cannot ping a channel.
        let loud = RolloutOutcome::Failed {
            reason: "<!channel> @here tasks failed".into(),
        };
        let body = end_notice(&rollout, &loud, minutes(9), "u");
        let text = body["text"].as_str().unwrap();
        assert!(
            !text.contains("<!channel>") && !text.contains("@here"),
            "{text}"
        );
    }
}
