//! The scheduled jobs page and the job page: every rule and schedule that runs an ECS task or a
//! function, its expression in words with its time zone, where its last due run stands, its
//! next runs, and (on its page) its runs, target, EventBridge metrics and alarms.

use super::rows::{firing, watching};
use super::summary::{cards, detail_rows, DetailRows, EnvCard, EnvData, ReadError};
use crate::domain::ids::EnvId;
use crate::domain::inventory::{Alarm, AlarmResource, RuleMetrics};
use crate::domain::scheduled_jobs::{JobRun, JobSource, JobVerdict, ScheduledJob, ScheduledJobs};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How many coming runs a job's page lists.
pub const NEXT_RUNS: usize = 5;

/// A job with the figures its table row needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRow {
    pub env: EnvId,
    pub job: ScheduledJob,
    /// Its expression in words, or why it cannot be read.
    pub schedule: String,
    pub verdict: JobVerdict,
    /// The newest run seen (scheduled or started from the console).
    pub last_run: Option<JobRun>,
    /// Its next run, when it has one (a disabled job has none).
    pub next_run: Option<DateTime<Utc>>,
    /// EventBridge's failed invocations of the rule in the last day (rules only; `None` when
    /// the metric holds no point).
    pub failed_invocations: Option<f64>,
    pub alarms_firing: u32,
}

/// Whether an alarm watches this rule.
fn watches_rule(alarm: &Alarm, name: &str) -> bool {
    matches!(&alarm.resource, AlarmResource::Rule { name: n } if n == name)
}

impl JobRow {
    fn of(env: &EnvData<'_>, jobs: &ScheduledJobs, job: &ScheduledJob, now: DateTime<Utc>) -> Self {
        let schedule = match job.schedule() {
            Ok(expr) => expr.describe(),
            Err(e) => format!("{} (not understood here: {e})", job.expression),
        };
        let next_run = job
            .schedule()
            .ok()
            .and_then(|expr| {
                let start = job.start.or_else(|| first_run(jobs, job));
                expr.next_runs(job.tz(), now, start, 1).into_iter().next()
            })
            .filter(|t| job.enabled && job.end.is_none_or(|end| *t <= end));
        let failed_invocations = match job.source {
            JobSource::Rule => env
                .details
                .and_then(|d| d.rule_metrics.get(&job.name))
                .and_then(|m| sum_since(&m.failed_invocations, now - Duration::days(1))),
            JobSource::Schedule { .. } => None,
        };
        Self {
            env: env.descriptor.id.clone(),
            schedule,
            verdict: jobs.verdict_of(job, now),
            last_run: jobs.runs_of(&job.key()).first().cloned(),
            next_run,
            failed_invocations,
            alarms_firing: match job.source {
                JobSource::Rule => firing(env.alarms(), |a| watches_rule(a, &job.name)),
                JobSource::Schedule { .. } => 0,
            },
            job: job.clone(),
        }
    }
}

/// A rate's anchor when it has no start date: its first run seen.
fn first_run(jobs: &ScheduledJobs, job: &ScheduledJob) -> Option<DateTime<Utc>> {
    jobs.runs_of(&job.key())
        .iter()
        .filter(|r| !r.manual)
        .map(|r| r.started_at)
        .min()
}

fn sum_since(series: &crate::domain::inventory::Series, since: DateTime<Utc>) -> Option<f64> {
    let points: Vec<f64> = series
        .points
        .iter()
        .filter(|(t, _)| *t >= since)
        .map(|(_, v)| *v)
        .collect();
    (!points.is_empty()).then(|| points.iter().sum())
}

/// An environment's jobs in figures, for its page and its health.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSummary {
    pub jobs: usize,
    pub disabled: usize,
    /// Jobs whose last due run failed or did not happen, by name.
    pub failing: Vec<String>,
    pub error: Option<String>,
}

impl JobSummary {
    pub fn of(jobs: &ScheduledJobs, now: DateTime<Utc>) -> Self {
        let mut summary = JobSummary {
            jobs: jobs.jobs.len(),
            error: jobs.error.clone(),
            ..JobSummary::default()
        };
        for job in &jobs.jobs {
            if !job.enabled {
                summary.disabled += 1;
            }
            if jobs.verdict_of(job, now).is_bad() {
                summary.failing.push(job.name.clone());
            }
        }
        summary
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobsView {
    pub generated_at: DateTime<Utc>,
    pub envs: Vec<EnvCard>,
    /// Failing first, then by app (jobs without one last) and name.
    pub rows: Vec<JobRow>,
    pub env_filter: Option<EnvId>,
    pub errors: Vec<ReadError>,
    /// Environments whose jobs have not been read yet (the first details cycle is running).
    pub unread: Vec<EnvId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub row: JobRow,
    /// Its next runs, in UTC (the page shows them in the job's zone too).
    pub next_runs: Vec<DateTime<Utc>>,
    /// Every run kept, newest first.
    pub runs: Vec<JobRun>,
    /// Since when the console has watched this environment's jobs.
    pub watched_since: Option<DateTime<Utc>>,
    pub metrics: Option<RuleMetrics>,
    /// For a schedule, its group's invocation attempts and target errors (every schedule's of
    /// the group: Scheduler publishes no finer).
    #[serde(default)]
    pub group_metrics: Option<crate::domain::inventory::ScheduleGroupMetrics>,
    /// For a job that invokes a function, the function's own invocations and errors (every
    /// caller's, not only this job's).
    #[serde(default)]
    pub function_metrics: Option<crate::domain::inventory::FunctionMetrics>,
    pub alarms: Vec<Alarm>,
    pub read_error: Option<String>,
    /// What the person may do to it, and what was done lately (set by the server function).
    #[serde(default)]
    pub actions: Option<super::action_panel::ActionPanel>,
}

/// The logs page of one run: its task's streams, oldest first, from a minute before it started
/// (a quarter of an hour when the start is only when the console first saw it) to a minute
/// after it stopped, or to now while it runs; `None` for a run that is no task.
pub fn run_logs_href(env: &str, key: &str, run: &JobRun) -> Option<String> {
    let task = run.task_id()?;
    let iso = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let before = if run.start_estimated {
        Duration::minutes(15)
    } else {
        Duration::minutes(1)
    };
    let mut href = format!(
        "/envs/{env}/jobs/{key}/logs?task={task}&order=oldest&from={}",
        iso(run.started_at - before)
    );
    if let Some(end) = run.stopped_at {
        href.push_str(&format!("&to={}", iso(end + Duration::minutes(1))));
    }
    Some(href)
}

pub fn jobs(envs: &[EnvData<'_>], env_filter: Option<&EnvId>, now: DateTime<Utc>) -> JobsView {
    let DetailRows {
        rows,
        errors,
        unread,
    } = detail_rows(
        envs,
        env_filter,
        |env, details| {
            let jobs = &details.jobs;
            let rows = jobs
                .jobs
                .iter()
                .map(|j| JobRow::of(env, jobs, j, now))
                .collect();
            (rows, jobs.error.clone())
        },
        |r: &JobRow| {
            (
                !r.verdict.is_bad(),
                r.job.app.is_none(),
                r.job.app.clone(),
                r.job.name.clone(),
                r.env.clone(),
            )
        },
    );
    JobsView {
        generated_at: now,
        envs: cards(envs, now),
        rows,
        env_filter: env_filter.cloned(),
        errors,
        unread,
    }
}

/// The jobs of `app` in one environment.
pub(super) fn app_rows(env: &EnvData<'_>, app: &str, now: DateTime<Utc>) -> Vec<JobRow> {
    let Some(details) = env.details else {
        return Vec::new();
    };
    let jobs = &details.jobs;
    jobs.jobs
        .iter()
        .filter(|j| j.app.as_deref() == Some(app))
        .map(|j| JobRow::of(env, jobs, j, now))
        .collect()
}

/// One job (`rule/<name>` or `schedule/<group>/<name>`), or `None` when this environment has
/// none by that key.
pub fn job(env: &EnvData<'_>, key: &str, now: DateTime<Utc>) -> Option<JobView> {
    let details = env.details?;
    let jobs = &details.jobs;
    let job = jobs.get(key)?;
    let row = JobRow::of(env, jobs, job, now);
    let next_runs = job
        .schedule()
        .map(|expr| {
            let start = job.start.or_else(|| first_run(jobs, job));
            expr.next_runs(job.tz(), now, start, NEXT_RUNS)
        })
        .unwrap_or_default()
        .into_iter()
        // A disabled job runs at none of them.
        .filter(|t| job.enabled && job.end.is_none_or(|end| *t <= end))
        .collect();
    let (metrics, alarms, group_metrics) = match &job.source {
        JobSource::Rule => (
            details.rule_metrics.get(&job.name).cloned(),
            watching(env.alarms(), |a| watches_rule(a, &job.name)),
            None,
        ),
        JobSource::Schedule { group } => (
            None,
            Vec::new(),
            details.schedule_group_metrics.get(group).cloned(),
        ),
    };
    let function_metrics = match &job.target {
        Some(crate::domain::scheduled_jobs::JobTarget::Lambda { function, .. }) => {
            details.function_metrics.get(function).cloned()
        }
        _ => None,
    };
    Some(JobView {
        generated_at: now,
        card: env.card(now),
        next_runs,
        runs: jobs.runs_of(key).to_vec(),
        watched_since: jobs.watched_since,
        metrics,
        group_metrics,
        function_metrics,
        alarms,
        read_error: jobs.error.clone(),
        actions: None,
        row,
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::descriptor;
    use super::*;
    use crate::domain::inventory::{EnvDetails, EnvInventory, RefreshStatus};
    use crate::domain::scheduled_jobs::RunOutcome;
    use crate::domain::test_time::at;

    use crate::domain::fixtures::nightly_job as nightly;

    #[test]
    fn failing_jobs_come_first_with_their_next_run_and_last_run() {
        let descriptor = descriptor("prod");
        let status = RefreshStatus::default();
        let now = at("2026-12-07T10:00:00Z");
        let mut jobs = ScheduledJobs {
            jobs: vec![
                nightly("billing-export", Some("billing"), true),
                nightly("cloudarch-cleanup", Some("cloudarch"), true),
                nightly("old-report", None, false),
            ],
            watched_since: Some(at("2026-12-01T00:00:00Z")),
            ..Default::default()
        };
        jobs.runs.insert(
            "rule/billing-export".into(),
            vec![JobRun {
                started_at: at("2026-12-07T03:15:40Z"),
                stopped_at: Some(at("2026-12-07T03:19:00Z")),
                outcome: RunOutcome::Succeeded,
                task_arn: Some("arn:aws:ecs:eu-west-1:1:task/jobs/t1".into()),
                manual: false,
                start_estimated: false,
            }],
        );
        let details = EnvDetails {
            jobs,
            ..EnvDetails::default()
        };
        let inventory = EnvInventory::default();
        let envs = [EnvData {
            descriptor: &descriptor,
            status: &status,
            inventory: Some(&inventory),
            details: Some(&details),
            summary: None,
        }];
        let view = super::jobs(&envs, None, now);
        let order: Vec<(&str, String)> = view
            .rows
            .iter()
            .map(|r| (r.job.name.as_str(), r.verdict.label()))
            .collect();
        assert_eq!(
            order,
            [
                (
                    "cloudarch-cleanup",
                    "missed its run due 2026-12-07 03:15 UTC".to_string()
                ),
                ("billing-export", "ran".to_string()),
                ("old-report", "disabled".to_string()),
            ]
        );
        assert_eq!(view.rows[1].next_run, Some(at("2026-12-08T03:15:00Z")));
        assert_eq!(
            view.rows[1].last_run.as_ref().and_then(|r| r.task_id()),
            Some("t1")
        );
        let page = job(&envs[0], "rule/billing-export", now).unwrap();
        assert_eq!(page.next_runs.len(), NEXT_RUNS);
        assert_eq!(page.next_runs[4], at("2026-12-12T03:15:00Z"));
        assert!(job(&envs[0], "rule/nope", now).is_none());
        let summary = JobSummary::of(&details.jobs, now);
        assert_eq!(summary.jobs, 3);
        assert_eq!(summary.disabled, 1);
        assert_eq!(summary.failing, ["cloudarch-cleanup"]);
    }

    #[test]
    fn a_runs_logs_cover_it_with_a_margin_and_a_guessed_start_a_wider_one() {
        let run = |start_estimated: bool, stopped: Option<&str>, task: Option<&str>| JobRun {
            started_at: at("2026-12-07T03:15:20Z"),
            stopped_at: stopped.map(at),
            outcome: RunOutcome::Succeeded,
            task_arn: task.map(|t| format!("arn:aws:ecs:eu-west-1:1:task/jobs/{t}")),
            manual: false,
            start_estimated,
        };
        let cases = [
            (
                run(false, Some("2026-12-07T03:17:05Z"), Some("abc123")),
                Some("/envs/prod/jobs/rule/nightly/logs?task=abc123&order=oldest&from=2026-12-07T03:14:20Z&to=2026-12-07T03:18:05Z"),
            ),
            (
                run(true, None, Some("abc123")),
                Some("/envs/prod/jobs/rule/nightly/logs?task=abc123&order=oldest&from=2026-12-07T03:00:20Z"),
            ),
            (run(false, None, None), None),
        ];
        for (run, want) in cases {
            assert_eq!(
                run_logs_href("prod", "rule/nightly", &run).as_deref(),
                want,
                "{run:?}"
            );
        }
    }
}
