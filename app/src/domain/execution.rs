//! Running an action without reverting what changed meanwhile and without calling an unknown
//! outcome known, as pure rules:
//! - [`check_unchanged`]: the service an action was checked (reviewed or approved) against must
//!   still be so when it runs — the same task definition for a deploy, rollback, redeploy or
//!   promotion, the same desired count for a scale — or the action does not run;
//! - [`classify`]: what a failed AWS call says about the change — refused (AWS answered 4xx, or
//!   the request was never sent: nothing changed) or unknown (no answer, or a 5xx: it may have
//!   been applied);
//! - [`reconcile`] and [`settle`]: what reading the resource back says about an unknown outcome,
//!   and what the sweeper records from it once AWS is no longer working on the call.

use super::inventory::revision_label_from_arn;
use chrono::{DateTime, Duration, Utc};

/// A service as read just before or after an action changes it: what the checks compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveService {
    /// The task definition (ARN) the service runs.
    pub task_definition: String,
    pub desired: i32,
    /// When its newest deployment started: a forced new deployment starts one.
    pub newest_deployment: Option<DateTime<Utc>>,
}

/// A resource as read back, for the checks before and after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// A service; `None` when it no longer exists (or is INACTIVE).
    Service(Option<LiveService>),
    /// A database snapshot's status; `None` when there is no snapshot of that name.
    Snapshot(Option<String>),
    /// Whether an alarm's actions are enabled; `None` when the alarm no longer exists.
    Alarm(Option<bool>),
    /// A queue's messages waiting, in flight and delayed; `None` when the queue is gone.
    Queue(Option<i64>),
    /// A dead-letter queue's message move tasks, newest first.
    MoveTasks(Vec<super::queues::MoveTask>),
    /// An event source mapping's state (`Enabled`, `Disabling`…); `None` when it is gone.
    Mapping(Option<String>),
    /// Where an alias routes; `None` when the alias (or its function) is gone.
    Alias(Option<super::work_actions::AliasRouting>),
    /// A function's reserved concurrency (`Some(None)`: none reserved); `None` when the
    /// function is gone.
    Concurrency(Option<Option<i32>>),
    /// Whether a scheduled job is enabled; `None` when its rule or schedule is gone.
    JobState(Option<bool>),
    /// When the tasks the console started for a job began, newest first (ECS lists them for
    /// about an hour after they stop); `None` when its runs cannot be read back (a function's
    /// asynchronous invocation).
    JobRuns(Option<Vec<DateTime<Utc>>>),
    /// An Auto Scaling group's minimum, maximum and desired capacity; `None` when it is gone.
    Capacity(Option<(i32, i32, i32)>),
    /// When an Auto Scaling group's latest instance refreshes started, newest first.
    Refreshes(Vec<DateTime<Utc>>),
}

/// What the plan saw of a service, which must still hold when the action runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Before {
    /// Deploy, rollback, redeploy, promotion: the task definition (ARN) it ran.
    Revision(String),
    /// Scale: the desired count it had.
    Desired(i32),
    /// An alias change: where the alias routed.
    Alias(super::work_actions::AliasRouting),
    /// A redrive: no redrive of the queue was running (read again just before, which also
    /// shows the endpoint offers redrives at all).
    NoRedriveRunning,
}

/// When the service was checked, for the words of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckedAt {
    /// When the release request was made, and then approved.
    Approval,
    /// On the review step of a page.
    Review,
}

/// The service is no longer what the action was checked against: what it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed(pub String);

impl Changed {
    /// The outcome recorded and shown: `changed since approval: now runs web:7, not web:5; …`.
    pub fn reason(&self, at: CheckedAt) -> String {
        match at {
            CheckedAt::Approval => format!(
                "changed since approval: {}; nothing was changed (ask again against what runs now)",
                self.0
            ),
            CheckedAt::Review => format!(
                "changed since the review: {}; nothing was changed (review it again)",
                self.0
            ),
        }
    }
}

/// Whether the live service is still as the plan saw it: a later change — another deploy, a
/// manual scale, a deleted service — is never overwritten by a change checked against the past.
pub fn check_unchanged(before: &Before, live: Option<&LiveService>) -> Result<(), Changed> {
    let Some(live) = live else {
        return Err(Changed("the service no longer exists".into()));
    };
    match before {
        Before::Revision(arn) if live.task_definition != *arn => Err(Changed(format!(
            "now runs {}, not {}",
            revision_label_from_arn(&live.task_definition),
            revision_label_from_arn(arn)
        ))),
        Before::Desired(n) if live.desired != *n => Err(Changed(format!(
            "now wants {} task{}, not {n}",
            live.desired,
            if live.desired == 1 { "" } else { "s" }
        ))),
        _ => Ok(()),
    }
}

/// [`check_unchanged`] for any resource read back: a service against its revision or count,
/// an alias against where it routed. A reading of another kind says nothing and passes.
pub fn check_before(before: &Before, observed: &Observed) -> Result<(), Changed> {
    match (before, observed) {
        (Before::Alias(_), Observed::Alias(None)) => {
            Err(Changed("the alias no longer exists".into()))
        }
        (Before::Alias(was), Observed::Alias(Some(now))) if was != now => Err(Changed(format!(
            "the alias now routes to {}, not {}",
            now.describe(),
            was.describe()
        ))),
        (Before::Alias(_), _) => Ok(()),
        (Before::NoRedriveRunning, Observed::MoveTasks(tasks)) => {
            match tasks.iter().find(|t| t.is_running()) {
                Some(t) => Err(Changed(format!(
                    "a redrive of the queue is running now ({})",
                    t.progress()
                ))),
                None => Ok(()),
            }
        }
        (Before::NoRedriveRunning, _) => Ok(()),
        (before, Observed::Service(live)) => check_unchanged(before, live.as_ref()),
        _ => Ok(()),
    }
}

/// How a failed AWS call ended, as far as the console can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEnd {
    /// The request was never sent (it could not be built or signed).
    NotSent,
    /// Sent, and no answer the console could read came back: a timeout, a connection lost
    /// midway, a response that would not parse.
    NoAnswer,
    /// AWS answered with this HTTP status.
    Answered(u16),
}

/// What a failed call says about the change it asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// AWS refused it (or never saw it): nothing changed.
    NotApplied,
    /// AWS may have made the change: only reading the resource can tell.
    MaybeApplied,
}

/// A 4xx answer — a validation error, a missing service, throttling, a denial — is a refusal
/// before anything was done; so is a request never sent. No answer, or a 5xx, may follow a change
/// AWS made. Mutations are sent once (no SDK retries), so this answer is about the only attempt.
pub fn classify(end: CallEnd) -> CallOutcome {
    match end {
        CallEnd::NotSent => CallOutcome::NotApplied,
        CallEnd::Answered(status) if (400..500).contains(&status) => CallOutcome::NotApplied,
        CallEnd::Answered(_) | CallEnd::NoAnswer => CallOutcome::MaybeApplied,
    }
}

/// What an action set out to change, to recognise the change when the resource is read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intended {
    /// Move the service from `from` to `to` (task definition ARNs); `to` is unknown for a deploy
    /// stopped before the revision it registered was recorded.
    Revision {
        from: Option<String>,
        to: Option<String>,
    },
    /// Change the desired count from `from` to `to`.
    Desired { from: Option<i32>, to: i32 },
    /// Start a new deployment, asked for at `asked`.
    NewDeployment { asked: DateTime<Utc> },
    /// Create the snapshot read back by its name.
    Snapshot,
    /// Switch the alarm's actions on or off.
    AlarmActions { enabled: bool },
    /// Empty a queue.
    Purge,
    /// Start a redrive of a dead-letter queue, asked for at `asked`.
    Redrive { asked: DateTime<Utc> },
    /// Cancel the redrive with this task handle.
    CancelRedrive { handle: String },
    /// Switch a mapping on (consuming) or off.
    Mapping { enabled: bool },
    /// Move an alias from `from` to `to`.
    Alias {
        from: super::work_actions::AliasRouting,
        to: super::work_actions::AliasRouting,
    },
    /// Reserve `to` (`None`: no reservation), from `from`.
    Concurrency { from: Option<i32>, to: Option<i32> },
    /// Switch a scheduled job on or off.
    JobState { enabled: bool },
    /// Run a scheduled job once, asked for at `asked`.
    JobRun { asked: DateTime<Utc> },
    /// Set an Auto Scaling group's desired capacity from `from` to `to`.
    Capacity { from: i32, to: i32 },
    /// Move an Auto Scaling group's bounds from `from` to `to` (minimum, maximum).
    Bounds { from: (i32, i32), to: (i32, i32) },
    /// Start an instance refresh, asked for at `asked`.
    Refresh { asked: DateTime<Utc> },
}

/// How far AWS's clock may be behind the console's when a deployment's start is compared with
/// the moment it was asked for.
const CLOCK_SKEW: Duration = Duration::seconds(5);

/// What reading the resource back says about the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciled {
    /// The resource shows the change.
    Applied,
    /// The resource is still as before: what it shows.
    NotApplied(String),
    /// Neither as asked nor as before, or gone: why it cannot tell.
    Unclear(String),
}

fn label(arn: &str) -> String {
    revision_label_from_arn(arn)
}

/// Compares what was asked with what the resource shows now.
pub fn reconcile(intended: &Intended, observed: &Observed) -> Reconciled {
    match (intended, observed) {
        (_, Observed::Service(None)) => Reconciled::Unclear("the service no longer exists".into()),
        (Intended::Revision { from, to }, Observed::Service(Some(live))) => {
            let now = &live.task_definition;
            if to.as_ref() == Some(now) {
                Reconciled::Applied
            } else if from.as_ref() == Some(now) {
                Reconciled::NotApplied(format!("the service still runs {}", label(now)))
            } else {
                Reconciled::Unclear(match to {
                    Some(to) => match from {
                        Some(from) => format!(
                            "the service runs {}, neither {} as asked nor {} as before",
                            label(now),
                            label(to),
                            label(from)
                        ),
                        None => format!(
                            "the service runs {}, not {} as asked",
                            label(now),
                            label(to)
                        ),
                    },
                    None => format!(
                        "the service runs {}, not what it ran before, and the revision registered for it was not recorded",
                        label(now)
                    ),
                })
            }
        }
        (Intended::Desired { from, to }, Observed::Service(Some(live))) => {
            if live.desired == *to {
                Reconciled::Applied
            } else if *from == Some(live.desired) {
                Reconciled::NotApplied(format!("the service still wants {} tasks", live.desired))
            } else {
                Reconciled::Unclear(format!(
                    "the service wants {} tasks, neither {to} as asked nor what it wanted before: something else changed it",
                    live.desired
                ))
            }
        }
        (Intended::NewDeployment { asked }, Observed::Service(Some(live))) => {
            match live.newest_deployment {
                Some(started) if started >= *asked - CLOCK_SKEW => Reconciled::Applied,
                _ => Reconciled::NotApplied(
                    "no deployment of the service started after it was asked for".into(),
                ),
            }
        }
        (Intended::Snapshot, Observed::Snapshot(Some(_))) => Reconciled::Applied,
        (Intended::Snapshot, Observed::Snapshot(None)) => {
            Reconciled::NotApplied("there is no snapshot of that name".into())
        }
        (Intended::AlarmActions { enabled }, Observed::Alarm(Some(now))) => {
            if now == enabled {
                Reconciled::Applied
            } else {
                Reconciled::NotApplied(format!(
                    "the alarm's actions are still {}",
                    if *now { "enabled" } else { "disabled" }
                ))
            }
        }
        (Intended::AlarmActions { .. }, Observed::Alarm(None)) => {
            Reconciled::Unclear("the alarm no longer exists".into())
        }
        (Intended::Purge, Observed::Queue(Some(0))) => Reconciled::Applied,
        (Intended::Purge, Observed::Queue(Some(n))) => Reconciled::Unclear(format!(
            "the queue still holds {n} messages: a purge takes up to 60 seconds, and messages sent since stay"
        )),
        (Intended::Purge, Observed::Queue(None)) => {
            Reconciled::Unclear("the queue no longer exists".into())
        }
        (Intended::Redrive { asked }, Observed::MoveTasks(tasks)) => {
            if tasks
                .iter()
                .any(|t| t.started_at.is_some_and(|s| s >= *asked - CLOCK_SKEW))
            {
                Reconciled::Applied
            } else {
                Reconciled::NotApplied("no redrive of the queue started after it was asked for".into())
            }
        }
        (Intended::CancelRedrive { handle }, Observed::MoveTasks(tasks)) => {
            // SQS names running tasks by handle only; once cancelled it lists the task without
            // one, so a task still running under the handle is the one sign it was not.
            match tasks.iter().find(|t| t.handle.as_deref() == Some(handle.as_str())) {
                Some(t) if t.is_running() => {
                    Reconciled::NotApplied(format!("the redrive is still running ({})", t.progress()))
                }
                _ if tasks.iter().any(|t| t.is_running()) => Reconciled::Unclear(
                    "a redrive is running under another handle".into(),
                ),
                _ => Reconciled::Applied,
            }
        }
        (Intended::Mapping { enabled }, Observed::Mapping(Some(state))) => {
            let on = matches!(state.as_str(), "Enabled" | "Enabling");
            let off = matches!(state.as_str(), "Disabled" | "Disabling");
            if (*enabled && on) || (!*enabled && off) {
                Reconciled::Applied
            } else if on || off {
                Reconciled::NotApplied(format!("the mapping is still {state}"))
            } else {
                Reconciled::Unclear(format!("the mapping is {state}"))
            }
        }
        (Intended::Mapping { .. }, Observed::Mapping(None)) => {
            Reconciled::Unclear("the event source mapping no longer exists".into())
        }
        (Intended::Alias { from, to }, Observed::Alias(Some(now))) => {
            if now == to {
                Reconciled::Applied
            } else if now == from {
                Reconciled::NotApplied(format!("the alias still routes to {}", now.describe()))
            } else {
                Reconciled::Unclear(format!(
                    "the alias routes to {}, neither {} as asked nor {} as before",
                    now.describe(),
                    to.describe(),
                    from.describe()
                ))
            }
        }
        (Intended::Alias { .. }, Observed::Alias(None)) => {
            Reconciled::Unclear("the alias no longer exists".into())
        }
        (Intended::Concurrency { from, to }, Observed::Concurrency(Some(now))) => {
            let words = |v: &Option<i32>| v.map(|n| n.to_string()).unwrap_or_else(|| "none".into());
            if now == to {
                Reconciled::Applied
            } else if now == from {
                Reconciled::NotApplied(format!("reserved concurrency is still {}", words(now)))
            } else {
                Reconciled::Unclear(format!(
                    "reserved concurrency is {}, neither {} as asked nor {} as before",
                    words(now),
                    words(to),
                    words(from)
                ))
            }
        }
        (Intended::Concurrency { .. }, Observed::Concurrency(None)) => {
            Reconciled::Unclear("the function no longer exists".into())
        }
        (Intended::JobState { enabled }, Observed::JobState(Some(now))) => {
            if now == enabled {
                Reconciled::Applied
            } else {
                Reconciled::NotApplied(format!(
                    "the job is still {}",
                    if *now { "enabled" } else { "disabled" }
                ))
            }
        }
        (Intended::JobState { .. }, Observed::JobState(None)) => {
            Reconciled::Unclear("the rule or schedule no longer exists".into())
        }
        (Intended::JobRun { asked }, Observed::JobRuns(Some(started))) => {
            if started.iter().any(|s| *s >= *asked - CLOCK_SKEW) {
                Reconciled::Applied
            } else {
                Reconciled::NotApplied("no task of the job started after it was asked for".into())
            }
        }
        (Intended::JobRun { .. }, Observed::JobRuns(None)) => Reconciled::Unclear(
            "an asynchronous invocation cannot be read back: see the function's invocations".into(),
        ),
        (Intended::Capacity { from, to }, Observed::Capacity(Some((_, _, now)))) => {
            if now == to {
                Reconciled::Applied
            } else if now == from {
                Reconciled::NotApplied(format!("the group still wants {now} instances"))
            } else {
                Reconciled::Unclear(format!(
                    "the group wants {now} instances, neither {to} as asked nor {from} as before: a scaling policy or someone else changed it"
                ))
            }
        }
        (Intended::Bounds { from, to }, Observed::Capacity(Some((min, max, _)))) => {
            let now = (*min, *max);
            if now == *to {
                Reconciled::Applied
            } else if now == *from {
                Reconciled::NotApplied(format!("the group still takes {min}–{max}"))
            } else {
                Reconciled::Unclear(format!(
                    "the group takes {min}–{max}, neither {}–{} as asked nor {}–{} as before",
                    to.0, to.1, from.0, from.1
                ))
            }
        }
        (Intended::Capacity { .. } | Intended::Bounds { .. }, Observed::Capacity(None)) => {
            Reconciled::Unclear("the Auto Scaling group no longer exists".into())
        }
        (Intended::Refresh { asked }, Observed::Refreshes(started)) => {
            if started.iter().any(|s| *s >= *asked - CLOCK_SKEW) {
                Reconciled::Applied
            } else {
                Reconciled::NotApplied(
                    "no instance refresh of the group started after it was asked for".into(),
                )
            }
        }
        _ => Reconciled::Unclear("the resource read back is not the one the action changes".into()),
    }
}

/// How the sweeper settles an action it read back, long after the call: AWS is no longer
/// working on it, so what the resource shows is the outcome. (Right after an unclear answer only
/// a change seen is recorded: a resource still as before may yet change while AWS works on it.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    Succeeded,
    /// Not applied: why.
    Failed(String),
    /// A terminal state that says the outcome is not known, and why.
    Unknown(String),
}

pub fn settle(reconciled: Reconciled) -> Settled {
    match reconciled {
        Reconciled::Applied => Settled::Succeeded,
        Reconciled::NotApplied(why) => Settled::Failed(format!("not applied: {why}")),
        Reconciled::Unclear(why) => Settled::Unknown(format!("outcome unknown: {why}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_time::at;

    const WEB5: &str = "arn:aws:ecs:eu-west-1:1:task-definition/web:5";
    const WEB6: &str = "arn:aws:ecs:eu-west-1:1:task-definition/web:6";
    const WEB7: &str = "arn:aws:ecs:eu-west-1:1:task-definition/web:7";

    fn live(td: &str, desired: i32) -> LiveService {
        LiveService {
            task_definition: td.into(),
            desired,
            newest_deployment: Some(at("2026-12-18T10:00:00Z")),
        }
    }

    #[test]
    fn an_action_runs_only_on_the_service_it_was_checked_against() {
        let table: &[(Before, Option<LiveService>, Result<(), &str>)] = &[
            (Before::Revision(WEB5.into()), Some(live(WEB5, 2)), Ok(())),
            // A scale elsewhere does not stop a deploy; a deploy elsewhere does.
            (Before::Revision(WEB5.into()), Some(live(WEB5, 9)), Ok(())),
            (
                Before::Revision(WEB5.into()),
                Some(live(WEB7, 2)),
                Err("now runs web:7, not web:5"),
            ),
            (Before::Desired(2), Some(live(WEB7, 2)), Ok(())),
            (
                Before::Desired(2),
                Some(live(WEB5, 4)),
                Err("now wants 4 tasks, not 2"),
            ),
            (
                Before::Desired(2),
                Some(live(WEB5, 1)),
                Err("now wants 1 task, not 2"),
            ),
            (
                Before::Revision(WEB5.into()),
                None,
                Err("the service no longer exists"),
            ),
            (
                Before::Desired(2),
                None,
                Err("the service no longer exists"),
            ),
        ];
        for (before, live, expected) in table {
            let got = check_unchanged(before, live.as_ref()).map_err(|c| c.0);
            assert_eq!(
                got,
                expected.map_err(str::to_string),
                "{before:?} vs {live:?}"
            );
        }
        let changed = Changed("now runs web:7, not web:5".into());
        assert!(changed
            .reason(CheckedAt::Approval)
            .starts_with("changed since approval: now runs web:7, not web:5; nothing was changed"));
        assert!(changed
            .reason(CheckedAt::Review)
            .starts_with("changed since the review: now runs web:7"));
    }

    #[test]
    fn only_a_refusal_or_an_unsent_request_is_known_not_applied() {
        let table = [
            (CallEnd::NotSent, CallOutcome::NotApplied),
            // InvalidParameterException, ServiceNotFoundException, ClientException, throttling,
            // access denied: all 400.
            (CallEnd::Answered(400), CallOutcome::NotApplied),
            (CallEnd::Answered(403), CallOutcome::NotApplied),
            (CallEnd::Answered(429), CallOutcome::NotApplied),
            (CallEnd::Answered(499), CallOutcome::NotApplied),
            (CallEnd::Answered(500), CallOutcome::MaybeApplied),
            (CallEnd::Answered(503), CallOutcome::MaybeApplied),
            // An answer that said success but could not be read.
            (CallEnd::Answered(200), CallOutcome::MaybeApplied),
            (CallEnd::NoAnswer, CallOutcome::MaybeApplied),
        ];
        for (end, outcome) in table {
            assert_eq!(classify(end), outcome, "{end:?}");
        }
    }

    #[test]
    fn reading_the_resource_back_tells_applied_from_not_and_says_when_it_cannot() {
        let asked = at("2026-12-18T10:00:00Z");
        let service = |l: LiveService| Observed::Service(Some(l));
        let deploy = Intended::Revision {
            from: Some(WEB5.into()),
            to: Some(WEB6.into()),
        };
        let lost = Intended::Revision {
            from: Some(WEB5.into()),
            to: None,
        };
        let scale = Intended::Desired {
            from: Some(2),
            to: 5,
        };
        let redeploy = Intended::NewDeployment { asked };
        let mut old_deployment = live(WEB5, 2);
        old_deployment.newest_deployment = Some(at("2026-12-18T09:00:00Z"));
        let mut just_behind = live(WEB5, 2);
        just_behind.newest_deployment = Some(at("2026-12-18T09:59:57Z"));
        let mute = Intended::AlarmActions { enabled: false };
        let table: Vec<(&Intended, Observed, Result<(), &str>)> = vec![
            (&deploy, service(live(WEB6, 2)), Ok(())),
            (&deploy, service(live(WEB5, 2)), Err("N:the service still runs web:5")),
            (
                &deploy,
                service(live(WEB7, 2)),
                Err("U:the service runs web:7, neither web:6 as asked nor web:5 as before"),
            ),
            (&deploy, Observed::Service(None), Err("U:the service no longer exists")),
            (&lost, service(live(WEB5, 2)), Err("N:the service still runs web:5")),
            (
                &lost,
                service(live(WEB6, 2)),
                Err("U:the service runs web:6, not what it ran before, and the revision registered for it was not recorded"),
            ),
            (&scale, service(live(WEB5, 5)), Ok(())),
            (&scale, service(live(WEB5, 2)), Err("N:the service still wants 2 tasks")),
            (
                &scale,
                service(live(WEB5, 7)),
                Err("U:the service wants 7 tasks, neither 5 as asked nor what it wanted before: something else changed it"),
            ),
            (&redeploy, service(live(WEB5, 2)), Ok(())),
            (&redeploy, service(just_behind), Ok(())),
            (
                &redeploy,
                service(old_deployment),
                Err("N:no deployment of the service started after it was asked for"),
            ),
            (&Intended::Snapshot, Observed::Snapshot(Some("creating".into())), Ok(())),
            (
                &Intended::Snapshot,
                Observed::Snapshot(None),
                Err("N:there is no snapshot of that name"),
            ),
            (&mute, Observed::Alarm(Some(false)), Ok(())),
            (
                &mute,
                Observed::Alarm(Some(true)),
                Err("N:the alarm's actions are still enabled"),
            ),
            (&mute, Observed::Alarm(None), Err("U:the alarm no longer exists")),
            (
                &mute,
                Observed::Snapshot(None),
                Err("U:the resource read back is not the one the action changes"),
            ),
        ];
        for (intended, observed, expected) in table {
            let got = match reconcile(intended, &observed) {
                Reconciled::Applied => Ok(()),
                Reconciled::NotApplied(why) => Err(format!("N:{why}")),
                Reconciled::Unclear(why) => Err(format!("U:{why}")),
            };
            assert_eq!(
                got,
                expected.map_err(str::to_string),
                "{intended:?} vs {observed:?}"
            );
        }
    }

    #[test]
    fn the_sweeper_records_what_it_reads_and_says_when_it_cannot_tell() {
        let table = [
            (Reconciled::Applied, Settled::Succeeded),
            (
                Reconciled::NotApplied("the service still runs web:5".into()),
                Settled::Failed("not applied: the service still runs web:5".into()),
            ),
            (
                Reconciled::Unclear("the service no longer exists".into()),
                Settled::Unknown("outcome unknown: the service no longer exists".into()),
            ),
        ];
        for (reconciled, expected) in table {
            assert_eq!(settle(reconciled.clone()), expected, "{reconciled:?}");
        }
    }

    #[test]
    fn queue_and_function_changes_are_read_back_as_applied_or_not() {
        use crate::domain::queues::MoveTask;
        use crate::domain::work_actions::AliasRouting;
        let asked = at("2026-12-18T10:00:00Z");
        let task = |status: &str, handle: Option<&str>, started: &str| MoveTask {
            handle: handle.map(str::to_string),
            status: status.into(),
            destination_arn: None,
            moved: 1,
            to_move: Some(4),
            failure: None,
            started_at: Some(at(started)),
        };
        let routing = |v: &str, w: &[(&str, u32)]| AliasRouting {
            version: v.into(),
            weights: w.iter().map(|(v, p)| (v.to_string(), *p)).collect(),
        };
        let alias = Intended::Alias {
            from: routing("2", &[]),
            to: routing("2", &[("3", 100_000)]),
        };
        let table: Vec<(Intended, Observed, &str)> = vec![
            (Intended::Purge, Observed::Queue(Some(0)), "applied"),
            (Intended::Purge, Observed::Queue(Some(3)), "unclear"),
            (Intended::Purge, Observed::Queue(None), "unclear"),
            (
                Intended::Redrive { asked },
                Observed::MoveTasks(vec![task("RUNNING", Some("h"), "2026-12-18T10:00:01Z")]),
                "applied",
            ),
            (
                Intended::Redrive { asked },
                Observed::MoveTasks(vec![task("COMPLETED", None, "2026-12-17T09:00:00Z")]),
                "not applied",
            ),
            (
                Intended::Redrive { asked },
                Observed::MoveTasks(vec![]),
                "not applied",
            ),
            (
                Intended::CancelRedrive { handle: "h".into() },
                Observed::MoveTasks(vec![task("CANCELLED", None, "2026-12-18T09:00:00Z")]),
                "applied",
            ),
            (
                Intended::CancelRedrive { handle: "h".into() },
                Observed::MoveTasks(vec![task("RUNNING", Some("h"), "2026-12-18T09:00:00Z")]),
                "not applied",
            ),
            (
                Intended::CancelRedrive { handle: "h".into() },
                Observed::MoveTasks(vec![task("RUNNING", Some("other"), "2026-12-18T09:00:00Z")]),
                "unclear",
            ),
            (
                Intended::Mapping { enabled: false },
                Observed::Mapping(Some("Disabling".into())),
                "applied",
            ),
            (
                Intended::Mapping { enabled: false },
                Observed::Mapping(Some("Enabled".into())),
                "not applied",
            ),
            (
                Intended::Mapping { enabled: true },
                Observed::Mapping(Some("Enabling".into())),
                "applied",
            ),
            (
                Intended::Mapping { enabled: true },
                Observed::Mapping(Some("Updating".into())),
                "unclear",
            ),
            (
                Intended::Mapping { enabled: true },
                Observed::Mapping(None),
                "unclear",
            ),
            (
                alias.clone(),
                Observed::Alias(Some(routing("2", &[("3", 100_000)]))),
                "applied",
            ),
            (
                alias.clone(),
                Observed::Alias(Some(routing("2", &[]))),
                "not applied",
            ),
            (
                alias.clone(),
                Observed::Alias(Some(routing("4", &[]))),
                "unclear",
            ),
            (alias, Observed::Alias(None), "unclear"),
            (
                Intended::Concurrency {
                    from: Some(20),
                    to: Some(0),
                },
                Observed::Concurrency(Some(Some(0))),
                "applied",
            ),
            (
                Intended::Concurrency {
                    from: Some(20),
                    to: None,
                },
                Observed::Concurrency(Some(None)),
                "applied",
            ),
            (
                Intended::Concurrency {
                    from: Some(20),
                    to: Some(0),
                },
                Observed::Concurrency(Some(Some(20))),
                "not applied",
            ),
            (
                Intended::Concurrency {
                    from: Some(20),
                    to: Some(0),
                },
                Observed::Concurrency(Some(Some(5))),
                "unclear",
            ),
            (Intended::Purge, Observed::Alarm(Some(true)), "unclear"),
            (
                Intended::JobState { enabled: false },
                Observed::JobState(Some(false)),
                "applied",
            ),
            (
                Intended::JobState { enabled: false },
                Observed::JobState(Some(true)),
                "not applied",
            ),
            (
                Intended::JobState { enabled: true },
                Observed::JobState(None),
                "unclear",
            ),
            (
                Intended::JobRun {
                    asked: at("2026-12-07T10:00:00Z"),
                },
                Observed::JobRuns(Some(vec![at("2026-12-07T10:00:02Z")])),
                "applied",
            ),
            (
                Intended::JobRun {
                    asked: at("2026-12-07T10:00:00Z"),
                },
                Observed::JobRuns(Some(vec![at("2026-12-07T03:15:00Z")])),
                "not applied",
            ),
            (
                Intended::JobRun {
                    asked: at("2026-12-07T10:00:00Z"),
                },
                Observed::JobRuns(None),
                "unclear",
            ),
            (
                Intended::Capacity { from: 2, to: 4 },
                Observed::Capacity(Some((2, 6, 4))),
                "applied",
            ),
            (
                Intended::Capacity { from: 2, to: 4 },
                Observed::Capacity(Some((2, 6, 2))),
                "not applied",
            ),
            (
                Intended::Capacity { from: 2, to: 4 },
                Observed::Capacity(Some((2, 6, 5))),
                "unclear",
            ),
            (
                Intended::Bounds {
                    from: (2, 6),
                    to: (2, 10),
                },
                Observed::Capacity(Some((2, 10, 4))),
                "applied",
            ),
            (
                Intended::Bounds {
                    from: (2, 6),
                    to: (2, 10),
                },
                Observed::Capacity(None),
                "unclear",
            ),
            (
                Intended::Refresh {
                    asked: at("2026-12-07T10:00:00Z"),
                },
                Observed::Refreshes(vec![at("2026-12-07T10:00:01Z")]),
                "applied",
            ),
            (
                Intended::Refresh {
                    asked: at("2026-12-07T10:00:00Z"),
                },
                Observed::Refreshes(vec![]),
                "not applied",
            ),
        ];
        for (intended, observed, expected) in table {
            let got = match reconcile(&intended, &observed) {
                Reconciled::Applied => "applied",
                Reconciled::NotApplied(_) => "not applied",
                Reconciled::Unclear(_) => "unclear",
            };
            assert_eq!(got, expected, "{intended:?} / {observed:?}");
        }
    }

    #[test]
    fn an_alias_change_runs_only_on_the_routing_it_was_checked_against() {
        use crate::domain::work_actions::AliasRouting;
        let routing = |v: &str| AliasRouting {
            version: v.into(),
            weights: Vec::new(),
        };
        let before = Before::Alias(routing("2"));
        assert_eq!(
            check_before(&before, &Observed::Alias(Some(routing("2")))),
            Ok(())
        );
        let moved = check_before(&before, &Observed::Alias(Some(routing("3")))).unwrap_err();
        assert_eq!(moved.0, "the alias now routes to 3, not 2");
        assert!(check_before(&before, &Observed::Alias(None)).is_err());
        assert!(
            check_before(&Before::Desired(2), &Observed::Service(Some(live(WEB5, 3)))).is_err()
        );
        assert_eq!(
            check_before(&Before::Desired(2), &Observed::Queue(Some(1))),
            Ok(())
        );
        let task = |status: &str| crate::domain::queues::MoveTask {
            handle: None,
            status: status.into(),
            destination_arn: None,
            moved: 2,
            to_move: Some(5),
            failure: None,
            started_at: None,
        };
        let quiet = Observed::MoveTasks(vec![task("COMPLETED")]);
        let busy = Observed::MoveTasks(vec![task("RUNNING")]);
        assert_eq!(check_before(&Before::NoRedriveRunning, &quiet), Ok(()));
        assert_eq!(
            check_before(&Before::NoRedriveRunning, &busy)
                .unwrap_err()
                .0,
            "a redrive of the queue is running now (running: 2 of 5 moved)"
        );
    }
}
