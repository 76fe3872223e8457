//! Scheduled jobs as pure rules: when a schedule was last due (`previous_run`), and from the
//! runs seen since — ECS tasks the rule or schedule started, or the function's invocations —
//! whether its last due run ran and how it ended: the question "did last night's job run, and
//! did it succeed" that EventBridge keeps no history to answer.

use super::schedules::ScheduleExpr;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How one run of a job ended, as far as the console can see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunOutcome {
    /// Still running.
    Running,
    Succeeded,
    /// Failed: an essential container's non-zero exit code, a task that could not start, a
    /// function's error — in words.
    Failed(String),
}

/// One run of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRun {
    pub started_at: DateTime<Utc>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub outcome: RunOutcome,
    /// The ECS task that was the run (its ARN), when the job runs a task.
    #[serde(default)]
    pub task_arn: Option<String>,
    /// Started from the console ("run now") rather than by its schedule.
    #[serde(default)]
    pub manual: bool,
    /// ECS gave no time for its start (an emulator does not): `started_at` is when the console
    /// first saw it.
    #[serde(default)]
    pub start_estimated: bool,
}

impl JobRun {
    /// The task's short id, the last segment of its ARN.
    pub fn task_id(&self) -> Option<&str> {
        self.task_arn
            .as_deref()
            .map(|arn| arn.rsplit('/').next().unwrap_or(arn))
    }

    /// How long it ran (so far, for one still running); `None` for one that ended at a time
    /// ECS did not give.
    pub fn duration(&self, now: DateTime<Utc>) -> Option<Duration> {
        match (self.stopped_at, &self.outcome) {
            (Some(end), _) => Some(end - self.started_at),
            (None, RunOutcome::Running) => Some(now - self.started_at),
            (None, _) => None,
        }
    }
}

/// Where a scheduled job comes from: an EventBridge rule with a schedule expression (always on
/// the default event bus, in UTC) or an EventBridge Scheduler schedule in its group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum JobSource {
    Rule,
    Schedule { group: String },
}

/// The ECS task a job runs: RunTask's parameters as the rule's or schedule's target holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcsJobTarget {
    /// The cluster's name.
    pub cluster: String,
    /// A task-definition ARN (with or without its revision) or `family[:revision]`.
    pub task_definition: String,
    pub count: i32,
    pub launch_type: Option<String>,
    pub platform_version: Option<String>,
    /// The task group the tasks are started in, when the target sets one.
    pub group: Option<String>,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub assign_public_ip: bool,
    /// Capacity providers and weights, when the target uses a strategy instead of a launch
    /// type.
    pub capacity_providers: Vec<(String, i32, i32)>,
    /// The input the target passes, which for ECS holds container overrides (JSON).
    pub input: Option<String>,
    pub enable_ecs_managed_tags: bool,
    pub propagate_tags: Option<String>,
}

/// What a job runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobTarget {
    Ecs(EcsJobTarget),
    Lambda {
        /// The function's name, with its qualifier (version or alias) when the ARN has one.
        function: String,
        qualifier: Option<String>,
        /// The payload the target sends (JSON), when it sets one.
        input: Option<String>,
    },
    /// Anything else (a queue, a state machine, a second target): named, not run from here.
    Other {
        arn: String,
    },
}

impl JobTarget {
    /// The target in a few words: `cluster jobs, task cleanup:7` or `function scorer:live`.
    pub fn describe(&self) -> String {
        match self {
            JobTarget::Ecs(t) => {
                let td = t
                    .task_definition
                    .rsplit('/')
                    .next()
                    .unwrap_or(&t.task_definition);
                match t.count {
                    1 => format!("ECS task {td} in cluster {}", t.cluster),
                    n => format!("{n} ECS tasks {td} in cluster {}", t.cluster),
                }
            }
            JobTarget::Lambda {
                function,
                qualifier,
                ..
            } => match qualifier {
                Some(q) => format!("Lambda function {function}:{q}"),
                None => format!("Lambda function {function}"),
            },
            JobTarget::Other { arn } => format!("target {arn}"),
        }
    }
}

/// A scheduled job: a rule or schedule with its expression, state and target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledJob {
    pub source: JobSource,
    pub name: String,
    pub arn: String,
    /// As AWS holds it: `cron(…)`, `rate(…)` or `at(…)`.
    pub expression: String,
    /// The IANA zone it is evaluated in (`UTC` for rules).
    pub timezone: String,
    pub enabled: bool,
    pub description: Option<String>,
    /// A Scheduler schedule's start and end dates, when set.
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// Its first target; `targets` counts them all.
    pub target: Option<JobTarget>,
    pub targets: usize,
    /// The app, from the rule's or schedule's tag.
    pub app: Option<String>,
}

/// The longest rule, schedule and group names AWS allows (64), and the characters.
const NAME_MAX: usize = 64;

/// Checks a rule, schedule or group name from a request before anything looks it up.
pub fn check_job_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > NAME_MAX {
        return Err(format!(
            "a rule or schedule name has 1 to {NAME_MAX} characters, not {}",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        return Err(format!(
            "a rule or schedule name has letters, digits, '.', '-' and '_' only, not {c:?}"
        ));
    }
    Ok(())
}

/// ECS's limit on `startedBy`.
const STARTED_BY_MAX: usize = 36;

fn started_by(prefix: &str, name: &str) -> String {
    // startedBy takes letters, digits, '-', '/' and '_': a '.' in a name becomes '_'.
    let mut out = format!("{prefix}{}", name.replace('.', "_"));
    out.truncate(STARTED_BY_MAX);
    out
}

impl ScheduledJob {
    /// Its key within an environment: `rule/<name>` or `schedule/<group>/<name>`, also its
    /// path under `/envs/<env>/jobs/`.
    pub fn key(&self) -> String {
        job_key(&self.source, &self.name)
    }

    /// The kind in a word, for tables.
    pub fn kind_label(&self) -> &'static str {
        match self.source {
            JobSource::Rule => "EventBridge rule",
            JobSource::Schedule { .. } => "Scheduler schedule",
        }
    }

    /// The `startedBy` EventBridge gives the tasks it starts for this job: `events-rule/<rule>`
    /// or `chronos-schedule/<schedule>`, cut to ECS's 36 characters.
    pub fn started_by(&self) -> String {
        match self.source {
            JobSource::Rule => started_by("events-rule/", &self.name),
            JobSource::Schedule { .. } => started_by("chronos-schedule/", &self.name),
        }
    }

    /// The `startedBy` of the runs the console starts for it ("run now").
    pub fn manual_started_by(&self) -> String {
        match self.source {
            JobSource::Rule => started_by("qd-rule/", &self.name),
            JobSource::Schedule { .. } => started_by("qd-schedule/", &self.name),
        }
    }

    /// Its expression parsed, or why it cannot be.
    pub fn schedule(&self) -> Result<ScheduleExpr, String> {
        ScheduleExpr::parse(&self.expression)
    }

    /// Its time zone (UTC when the name is unknown here).
    pub fn tz(&self) -> Tz {
        self.timezone.parse().unwrap_or(Tz::UTC)
    }
}

/// A job's key from a request (`rule/<name>` or `schedule/<group>/<name>`), each name checked.
pub fn parse_job_key(key: &str) -> Result<String, String> {
    match key.split('/').collect::<Vec<_>>().as_slice() {
        ["rule", name] => check_job_name(name).map(|()| key.to_string()),
        ["schedule", group, name] => {
            check_job_name(group)?;
            check_job_name(name)?;
            Ok(key.to_string())
        }
        _ => Err(format!(
            "{key:?} is not a job: a job is rule/<rule name> or schedule/<group>/<schedule name>"
        )),
    }
}

/// A job's key from a route's parameters: a schedule's when the route names its group
/// (`…/jobs/schedule/<group>/<name>`), else a rule's (`…/jobs/rule/<name>`).
pub fn route_job_key(group: Option<&str>, name: &str) -> String {
    let source = match group {
        Some(group) => JobSource::Schedule {
            group: group.to_string(),
        },
        None => JobSource::Rule,
    };
    job_key(&source, name)
}

/// A job's key from its source and name.
pub fn job_key(source: &JobSource, name: &str) -> String {
    match source {
        JobSource::Rule => format!("rule/{name}"),
        JobSource::Schedule { group } => format!("schedule/{group}/{name}"),
    }
}

/// How many runs are kept per job.
pub const RUNS_KEPT: usize = 30;

/// An environment's scheduled jobs as last read, and the runs seen of each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledJobs {
    /// Rules first, then schedules, each by name.
    pub jobs: Vec<ScheduledJob>,
    /// Runs by job key, newest first: those seen in earlier cycles are kept (ECS forgets a
    /// stopped task after about an hour), at most [`RUNS_KEPT`].
    pub runs: BTreeMap<String, Vec<JobRun>>,
    /// Since when the console has been watching this environment's jobs: a run due before it
    /// (less ECS's hour of stopped tasks) may have happened unseen.
    pub watched_since: Option<DateTime<Utc>>,
    /// Why the rules or schedules could not all be read this cycle.
    pub error: Option<String>,
}

/// How long ECS is sure to keep a stopped task listed.
pub const ECS_KEEPS_STOPPED: i64 = 60;

impl ScheduledJobs {
    pub fn get(&self, key: &str) -> Option<&ScheduledJob> {
        self.jobs.iter().find(|j| j.key() == key)
    }

    pub fn runs_of(&self, key: &str) -> &[JobRun] {
        self.runs.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The earliest start of a run this console would have seen.
    pub fn seen_from(&self) -> Option<DateTime<Utc>> {
        self.watched_since
            .map(|t| t - Duration::minutes(ECS_KEEPS_STOPPED))
    }

    /// Where `job` stands at `now`.
    pub fn verdict_of(&self, job: &ScheduledJob, now: DateTime<Utc>) -> JobVerdict {
        let Ok(expr) = job.schedule() else {
            return JobVerdict::Unknown;
        };
        let scheduled: Vec<JobRun> = self
            .runs_of(&job.key())
            .iter()
            .filter(|r| !r.manual)
            .cloned()
            .collect();
        let grace = match &job.target {
            Some(JobTarget::Ecs(_)) => Duration::minutes(10),
            _ => Duration::minutes(5),
        };
        let seen = match job.target {
            // Only ECS runs are seen one by one.
            Some(JobTarget::Ecs(_)) => self.seen_from(),
            _ => None,
        };
        let v = verdict(
            &expr,
            job.tz(),
            job.enabled,
            job.start,
            &scheduled,
            now,
            grace,
            seen,
        );
        match (&job.target, v) {
            // A function's or another target's runs are not seen one by one: no verdict.
            (Some(JobTarget::Ecs(_)), v) => v,
            (_, JobVerdict::Disabled) => JobVerdict::Disabled,
            (_, JobVerdict::NotDueYet) => JobVerdict::NotDueYet,
            _ => JobVerdict::Unknown,
        }
    }
}

/// What the console kept of one environment's job runs from before it started: each job's runs,
/// since when it had watched, and when it last read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptRuns {
    pub runs: BTreeMap<String, Vec<JobRun>>,
    pub watched_since: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
}

impl ScheduledJobs {
    /// Folds in what was kept from before this process started, on its first read: each job's
    /// earlier runs beneath the ones read now (a job removed since is left out). The watch
    /// carries over only when the last read before is recent enough that ECS still lists every
    /// task that stopped since ([`ECS_KEEPS_STOPPED`]); after a longer gap a run may have come
    /// and gone unseen, so the watch starts again now.
    pub fn resume(&mut self, kept: KeptRuns, now: DateTime<Utc>) {
        for (key, runs) in kept.runs {
            if self.get(&key).is_none() {
                continue;
            }
            let read = self.runs.remove(&key).unwrap_or_default();
            self.runs.insert(key, merge_runs(&runs, read));
        }
        let unbroken = kept
            .read_at
            .is_some_and(|at| now - at < Duration::minutes(ECS_KEEPS_STOPPED));
        if let (true, Some(since)) = (unbroken, kept.watched_since) {
            self.watched_since = Some(self.watched_since.map_or(since, |w| w.min(since)));
        }
    }

    /// The jobs whose runs differ from `before`'s (every job's on a first read): what a cycle
    /// has to write down.
    pub fn changed_runs<'a>(
        &'a self,
        before: Option<&ScheduledJobs>,
    ) -> Vec<(&'a str, &'a [JobRun])> {
        self.runs
            .iter()
            .filter(|(key, runs)| match before {
                Some(b) => b.runs_of(key) != runs.as_slice(),
                None => !runs.is_empty(),
            })
            .map(|(key, runs)| (key.as_str(), runs.as_slice()))
            .collect()
    }

    /// The jobs `before` had runs of that are gone now (rule or schedule deleted).
    pub fn removed_since<'a>(&self, before: &'a ScheduledJobs) -> Vec<&'a str> {
        before
            .runs
            .keys()
            .filter(|key| !self.runs.contains_key(*key))
            .map(String::as_str)
            .collect()
    }
}

/// Folds the runs read now into those kept from before (by task), newest first, cut to
/// [`RUNS_KEPT`]: a run read now replaces its earlier reading.
pub fn merge_runs(kept: &[JobRun], read: Vec<JobRun>) -> Vec<JobRun> {
    let mut out = read;
    for old in kept {
        match out
            .iter_mut()
            .find(|r| r.task_arn.is_some() && r.task_arn == old.task_arn)
        {
            // A start the console only estimated stays when it was first seen.
            Some(again) if again.start_estimated => again.started_at = old.started_at,
            Some(_) => {}
            None => out.push(old.clone()),
        }
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.started_at));
    out.truncate(RUNS_KEPT);
    out
}

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobVerdict {
    /// Its last due run ran and succeeded.
    Ok { last: DateTime<Utc> },
    /// Its last due run is running.
    Running { since: DateTime<Utc> },
    /// Its last due run failed.
    Failed { at: DateTime<Utc>, why: String },
    /// It was due and no run started.
    Missed { due: DateTime<Utc> },
    /// It has not been due yet (a new schedule, or one-time in the future).
    NotDueYet,
    /// Switched off: not expected to run.
    Disabled,
    /// No verdict: its last due run came before the console watched, its runs cannot be told
    /// from its expression (a rate with no known start), or its target's runs are not seen one
    /// by one (a function).
    Unknown,
}

impl JobVerdict {
    /// Whether an operator should look: a missed or failed run.
    pub fn is_bad(&self) -> bool {
        matches!(self, JobVerdict::Failed { .. } | JobVerdict::Missed { .. })
    }

    pub fn label(&self) -> String {
        match self {
            JobVerdict::Ok { .. } => "ran".to_string(),
            JobVerdict::Running { .. } => "running".to_string(),
            JobVerdict::Failed { why, .. } => format!("last run failed: {why}"),
            JobVerdict::Missed { due } => {
                format!("missed its run due {}", due.format("%Y-%m-%d %H:%M UTC"))
            }
            JobVerdict::NotDueYet => "not due yet".to_string(),
            JobVerdict::Disabled => "disabled".to_string(),
            JobVerdict::Unknown => "no run seen".to_string(),
        }
    }
}

/// How far before a due time a run may start and still count as that run (clocks differ).
const EARLY: i64 = 60;

/// The last time `expr` was due at or before `before`, evaluated in `tz` (`start`: a rate's
/// start). Looks back in growing windows, so an every-minute job and a yearly one cost alike.
pub fn previous_run(
    expr: &ScheduleExpr,
    tz: Tz,
    before: DateTime<Utc>,
    start: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    const BATCH: usize = 500;
    for window in [
        Duration::hours(2),
        Duration::days(2),
        Duration::days(40),
        Duration::days(400),
        Duration::days(3000),
    ] {
        let mut after = before - window;
        let mut last = None;
        loop {
            let batch = expr.next_runs(tz, after, start, BATCH);
            let full = batch.len() == BATCH;
            let mut reached = false;
            for t in batch {
                if t > before {
                    reached = true;
                    break;
                }
                last = Some(t);
                after = t;
            }
            if reached || !full {
                break;
            }
        }
        if last.is_some() {
            return last;
        }
    }
    None
}

/// Where a job stands at `now`: the run due last (at least `grace` ago, the time a run may take
/// to start) against the runs seen (any order). `seen_from`: runs that started before it could
/// not have been seen, so a run due then and not seen is unknown, not missed.
#[allow(clippy::too_many_arguments)]
pub fn verdict(
    expr: &ScheduleExpr,
    tz: Tz,
    enabled: bool,
    start: Option<DateTime<Utc>>,
    runs: &[JobRun],
    now: DateTime<Utc>,
    grace: Duration,
    seen_from: Option<DateTime<Utc>>,
) -> JobVerdict {
    if !enabled {
        return JobVerdict::Disabled;
    }
    let latest = runs.iter().max_by_key(|r| r.started_at);
    // A rate counts from its start, else from the first run seen.
    let anchor = start.or_else(|| runs.iter().map(|r| r.started_at).min());
    let due = previous_run(expr, tz, now - grace, anchor);
    let of = |run: &JobRun| match &run.outcome {
        RunOutcome::Running => JobVerdict::Running {
            since: run.started_at,
        },
        RunOutcome::Succeeded => JobVerdict::Ok {
            last: run.started_at,
        },
        RunOutcome::Failed(why) => JobVerdict::Failed {
            at: run.started_at,
            why: why.clone(),
        },
    };
    match (due, latest) {
        (Some(due), Some(run)) if run.started_at >= due - Duration::seconds(EARLY) => of(run),
        (Some(due), _) if seen_from.is_some_and(|from| due - Duration::seconds(EARLY) < from) => {
            JobVerdict::Unknown
        }
        (Some(due), _) => JobVerdict::Missed { due },
        (None, Some(run)) => of(run),
        (None, None) if anchor.is_none() && matches!(expr, ScheduleExpr::Rate { .. }) => {
            JobVerdict::Unknown
        }
        (None, None) => JobVerdict::NotDueYet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test_time::at;

    fn run(started: &str, outcome: RunOutcome) -> JobRun {
        JobRun {
            started_at: at(started),
            stopped_at: None,
            outcome,
            task_arn: None,
            manual: false,
            start_estimated: false,
        }
    }

    #[test]
    fn the_previous_run_is_found_for_frequent_and_rare_schedules() {
        let cases = [
            (
                "cron(0/1 * * * ? *)",
                "2026-12-07T10:30:30Z",
                Some("2026-12-07T10:30:00Z"),
            ),
            (
                "cron(0 2 * * ? *)",
                "2026-12-07T10:00:00Z",
                Some("2026-12-07T02:00:00Z"),
            ),
            (
                "cron(0 2 * * ? *)",
                "2026-12-07T01:59:00Z",
                Some("2026-12-06T02:00:00Z"),
            ),
            (
                "cron(0 0 1 1 ? *)",
                "2026-12-07T00:00:00Z",
                Some("2026-01-01T00:00:00Z"),
            ),
            (
                "cron(0 0 29 2 ? *)",
                "2026-12-07T00:00:00Z",
                Some("2024-02-29T00:00:00Z"),
            ),
            ("cron(0 0 1 1 ? 2030)", "2026-12-07T00:00:00Z", None),
        ];
        for (expr, before, want) in cases {
            let expr = ScheduleExpr::parse(expr).unwrap();
            assert_eq!(
                previous_run(&expr, Tz::UTC, at(before), None),
                want.map(at),
                "{expr:?} before {before}"
            );
        }
    }

    #[test]
    fn a_nightly_job_ran_failed_was_missed_or_is_running() {
        let nightly = ScheduleExpr::parse("cron(0 2 * * ? *)").unwrap();
        let now = at("2026-12-07T09:00:00Z");
        let grace = Duration::minutes(15);
        let failed = RunOutcome::Failed("exit code 1 (cleanup)".into());
        let cases: Vec<(bool, Vec<JobRun>, &str)> = vec![
            (
                true,
                vec![run("2026-12-07T02:00:41Z", RunOutcome::Succeeded)],
                "ran",
            ),
            (
                true,
                vec![
                    run("2026-12-06T02:00:20Z", RunOutcome::Succeeded),
                    run("2026-12-07T02:01:10Z", failed.clone()),
                ],
                "last run failed: exit code 1 (cleanup)",
            ),
            // Yesterday's run is not last night's.
            (
                true,
                vec![run("2026-12-06T02:00:20Z", RunOutcome::Succeeded)],
                "missed its run due 2026-12-07 02:00 UTC",
            ),
            (true, vec![], "missed its run due 2026-12-07 02:00 UTC"),
            (
                true,
                vec![run("2026-12-07T02:00:05Z", RunOutcome::Running)],
                "running",
            ),
            // A clock a little ahead still counts the run.
            (
                true,
                vec![run("2026-12-07T01:59:30Z", RunOutcome::Succeeded)],
                "ran",
            ),
            (false, vec![], "disabled"),
        ];
        for (enabled, runs, want) in cases {
            let got = verdict(&nightly, Tz::UTC, enabled, None, &runs, now, grace, None);
            assert_eq!(got.label(), want, "{runs:?}");
        }
        // Within the grace after a due time, the run before it is the one that counts.
        let just_due = verdict(
            &nightly,
            Tz::UTC,
            true,
            None,
            &[run("2026-12-06T02:00:20Z", RunOutcome::Succeeded)],
            at("2026-12-07T02:05:00Z"),
            grace,
            None,
        );
        assert_eq!(just_due.label(), "ran");
        assert!(!just_due.is_bad());
    }

    #[test]
    fn rates_count_from_their_start_or_their_first_run_and_one_time_jobs_wait() {
        let hourly = ScheduleExpr::parse("rate(1 hour)").unwrap();
        let now = at("2026-12-07T10:30:00Z");
        let grace = Duration::minutes(5);
        let unknown = verdict(&hourly, Tz::UTC, true, None, &[], now, grace, None);
        assert_eq!(unknown, JobVerdict::Unknown);
        let missed = verdict(
            &hourly,
            Tz::UTC,
            true,
            Some(at("2026-12-07T07:00:00Z")),
            &[run("2026-12-07T09:00:10Z", RunOutcome::Succeeded)],
            now,
            grace,
            None,
        );
        assert_eq!(missed.label(), "missed its run due 2026-12-07 10:00 UTC");
        let from_first = verdict(
            &hourly,
            Tz::UTC,
            true,
            None,
            &[
                run("2026-12-07T09:15:00Z", RunOutcome::Succeeded),
                run("2026-12-07T10:15:02Z", RunOutcome::Succeeded),
            ],
            now,
            grace,
            None,
        );
        assert_eq!(from_first.label(), "ran");
        let once = ScheduleExpr::parse("at(2027-01-01T09:00:00)").unwrap();
        assert_eq!(
            verdict(&once, Tz::UTC, true, None, &[], now, grace, None),
            JobVerdict::NotDueYet
        );
    }

    #[test]
    fn a_run_due_before_the_console_watched_is_unknown_not_missed() {
        let nightly = ScheduleExpr::parse("cron(15 3 * * ? *)").unwrap();
        let now = at("2026-12-07T10:00:00Z");
        let grace = Duration::minutes(10);
        let cases = [
            // Watching since 09:00: ECS still listed tasks stopped after 08:00, not 03:15's.
            (Some("2026-12-07T09:00:00Z"), "no run seen"),
            // Watching since yesterday: the 03:15 run would have been seen.
            (
                Some("2026-12-06T12:00:00Z"),
                "missed its run due 2026-12-07 03:15 UTC",
            ),
            // Watching since 04:00: ECS kept 03:15's task until at least 04:15.
            (
                Some("2026-12-07T04:00:00Z"),
                "missed its run due 2026-12-07 03:15 UTC",
            ),
        ];
        for (since, want) in cases {
            let v = verdict(
                &nightly,
                Tz::UTC,
                true,
                None,
                &[],
                now,
                grace,
                since.map(|s| at(s) - Duration::minutes(ECS_KEEPS_STOPPED)),
            );
            assert_eq!(v.label(), want, "{since:?}");
        }
    }

    fn job(source: JobSource, name: &str, target: Option<JobTarget>) -> ScheduledJob {
        ScheduledJob {
            source,
            target,
            ..crate::domain::fixtures::nightly_job(name, None, true)
        }
    }

    #[test]
    fn tasks_are_told_apart_by_the_started_by_each_starter_gives_them() {
        let group = || JobSource::Schedule {
            group: "default".into(),
        };
        let cases = [
            (
                JobSource::Rule,
                "cleanup",
                "events-rule/cleanup",
                "qd-rule/cleanup",
            ),
            // Cut to ECS's 36 characters, as EventBridge cuts them.
            (
                JobSource::Rule,
                "cloudarch-cleanup-nightly",
                "events-rule/cloudarch-cleanup-nightl",
                "qd-rule/cloudarch-cleanup-nightly",
            ),
            (
                group(),
                "reports.weekly",
                "chronos-schedule/reports_weekly",
                "qd-schedule/reports_weekly",
            ),
        ];
        for (source, name, by, manual) in cases {
            let j = job(source, name, None);
            assert_eq!(j.started_by(), by);
            assert_eq!(j.manual_started_by(), manual);
            assert!(j.started_by().len() <= STARTED_BY_MAX);
        }
        assert_eq!(job(JobSource::Rule, "a", None).key(), "rule/a");
        assert_eq!(job(group(), "a", None).key(), "schedule/default/a");
    }

    #[test]
    fn runs_read_now_replace_their_earlier_reading_and_the_oldest_go() {
        let task = |id: &str, started: &str, outcome: RunOutcome| JobRun {
            task_arn: Some(format!("arn:aws:ecs:eu-west-1:1:task/jobs/{id}")),
            ..run(started, outcome)
        };
        let kept = vec![
            task("b", "2026-12-07T03:15:05Z", RunOutcome::Running),
            task("a", "2026-12-06T03:15:05Z", RunOutcome::Succeeded),
        ];
        let read = vec![task(
            "b",
            "2026-12-07T03:15:05Z",
            RunOutcome::Failed("exit code 1".into()),
        )];
        let merged = merge_runs(&kept, read);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].task_id(), Some("b"));
        assert_eq!(merged[0].outcome, RunOutcome::Failed("exit code 1".into()));
        assert_eq!(merged[1].task_id(), Some("a"));
        // A start ECS did not give keeps the time the console first saw the task.
        let seen = JobRun {
            start_estimated: true,
            ..task("c", "2026-12-07T10:00:00Z", RunOutcome::Running)
        };
        let later = JobRun {
            start_estimated: true,
            ..task("c", "2026-12-07T10:02:00Z", RunOutcome::Succeeded)
        };
        let merged = merge_runs(&[seen], vec![later]);
        assert_eq!(merged[0].started_at, at("2026-12-07T10:00:00Z"));
        assert_eq!(merged[0].outcome, RunOutcome::Succeeded);
        assert_eq!(merged[0].duration(at("2026-12-07T11:00:00Z")), None);
        let many: Vec<JobRun> = (0..40)
            .map(|i| {
                task(
                    &format!("t{i}"),
                    &format!("2026-11-{:02}T03:15:05Z", (i % 28) + 1),
                    RunOutcome::Succeeded,
                )
            })
            .collect();
        assert_eq!(merge_runs(&[], many).len(), RUNS_KEPT);
    }

    #[test]
    fn names_from_requests_are_checked_before_any_lookup() {
        let cases = [
            ("cloudarch-cleanup-nightly", true),
            ("reports.weekly_2", true),
            ("", false),
            ("has space", false),
            ("../etc", false),
            (&"x".repeat(65), false),
        ];
        for (name, ok) in cases {
            assert_eq!(check_job_name(name).is_ok(), ok, "{name}");
        }
        assert!(check_job_name("a b")
            .unwrap_err()
            .contains("letters, digits"));
        assert!(parse_job_key("rule/cleanup").is_ok());
        assert!(parse_job_key("schedule/default/reports").is_ok());
        assert!(parse_job_key("schedule/reports").is_err());
        assert!(parse_job_key("rule/a/../b").is_err());
        assert!(parse_job_key("rule/a b").is_err());
    }

    #[test]
    fn only_task_runs_give_a_verdict_and_manual_runs_do_not_count() {
        let ecs = JobTarget::Ecs(EcsJobTarget {
            cluster: "jobs".into(),
            task_definition: "cleanup:3".into(),
            count: 1,
            ..Default::default()
        });
        let lambda = JobTarget::Lambda {
            function: "scorer".into(),
            qualifier: None,
            input: None,
        };
        let now = at("2026-12-07T10:00:00Z");
        let mut jobs = ScheduledJobs {
            jobs: vec![
                job(JobSource::Rule, "nightly", Some(ecs)),
                job(JobSource::Rule, "score", Some(lambda)),
            ],
            watched_since: Some(at("2026-12-01T00:00:00Z")),
            ..Default::default()
        };
        jobs.runs.insert(
            "rule/nightly".into(),
            vec![JobRun {
                manual: true,
                ..run("2026-12-07T09:00:00Z", RunOutcome::Succeeded)
            }],
        );
        let nightly = jobs.get("rule/nightly").unwrap();
        assert_eq!(
            jobs.verdict_of(nightly, now).label(),
            "missed its run due 2026-12-07 03:15 UTC"
        );
        let score = jobs.get("rule/score").unwrap();
        assert_eq!(jobs.verdict_of(score, now), JobVerdict::Unknown);
        assert_eq!(
            score.target.as_ref().unwrap().describe(),
            "Lambda function scorer"
        );
    }

    #[test]
    fn runs_kept_from_before_a_restart_come_back_and_the_watch_only_over_a_short_gap() {
        let job = crate::domain::fixtures::nightly_job("cleanup", None, true);
        let task = |id: &str, started: &str| JobRun {
            task_arn: Some(format!("arn:aws:ecs:eu-west-1:1:task/jobs/{id}")),
            ..run(started, RunOutcome::Succeeded)
        };
        let now = at("2026-12-07T09:00:00Z");
        let read = || ScheduledJobs {
            jobs: vec![job.clone()],
            runs: BTreeMap::from([(job.key(), vec![task("b", "2026-12-07T08:50:00Z")])]),
            watched_since: Some(now),
            error: None,
        };
        let kept = |read_at: &str| KeptRuns {
            runs: BTreeMap::from([
                (job.key(), vec![task("a", "2026-12-07T03:15:00Z")]),
                (
                    "rule/deleted-since".to_string(),
                    vec![task("z", "2026-12-06T03:15:00Z")],
                ),
            ]),
            watched_since: Some(at("2026-12-01T00:00:00Z")),
            read_at: Some(at(read_at)),
        };
        // (last read before the restart, the watch afterwards)
        let cases = [
            ("2026-12-07T08:30:00Z", "2026-12-01T00:00:00Z"),
            ("2026-12-07T07:30:00Z", "2026-12-07T09:00:00Z"),
        ];
        for (read_at, watched) in cases {
            let mut jobs = read();
            jobs.resume(kept(read_at), now);
            let ids: Vec<_> = jobs
                .runs_of(&job.key())
                .iter()
                .filter_map(JobRun::task_id)
                .collect();
            assert_eq!(ids, ["b", "a"], "read now first, then kept: {read_at}");
            assert!(!jobs.runs.contains_key("rule/deleted-since"));
            assert_eq!(jobs.watched_since, Some(at(watched)), "{read_at}");
        }
    }

    #[test]
    fn a_cycle_writes_the_runs_that_changed_and_forgets_deleted_jobs() {
        let job = |name: &str| crate::domain::fixtures::nightly_job(name, None, true);
        let ran = run("2026-12-07T03:15:00Z", RunOutcome::Running);
        let done = JobRun {
            outcome: RunOutcome::Succeeded,
            ..ran.clone()
        };
        let jobs = |runs: Vec<(&str, Vec<JobRun>)>| ScheduledJobs {
            jobs: runs.iter().map(|(name, _)| job(name)).collect(),
            runs: runs
                .into_iter()
                .map(|(name, r)| (format!("rule/{name}"), r))
                .collect(),
            ..Default::default()
        };
        let before = jobs(vec![
            ("a", vec![ran.clone()]),
            ("b", vec![]),
            ("gone", vec![]),
        ]);
        let now = jobs(vec![
            ("a", vec![done.clone()]),
            ("b", vec![]),
            ("c", vec![done]),
        ]);
        let changed: Vec<&str> = now
            .changed_runs(Some(&before))
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(changed, ["rule/a", "rule/c"]);
        assert_eq!(now.removed_since(&before), ["rule/gone"]);
        let first: Vec<&str> = now.changed_runs(None).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            first,
            ["rule/a", "rule/c"],
            "a first read writes the jobs that have runs"
        );
    }

    #[test]
    fn a_routes_parameters_name_a_rule_or_a_schedule_in_its_group() {
        let cases = [
            (None, "cleanup", "rule/cleanup"),
            (Some("assessment"), "rescore", "schedule/assessment/rescore"),
        ];
        for (group, name, want) in cases {
            assert_eq!(route_job_key(group, name), want);
        }
    }
}
