//! Scheduled jobs as pure rules: when a schedule was last due (`previous_run`), and from the
//! runs seen since — ECS tasks the rule or schedule started, or the function's invocations —
//! whether its last due run ran and how it ended: the question "did last night's job run, and
//! did it succeed" that EventBridge keeps no history to answer.

use super::schedules::ScheduleExpr;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

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
    /// Its runs cannot be told from its expression (a rate with no known start), and none was
    /// seen.
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
            JobVerdict::Unknown => "no runs seen".to_string(),
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
/// to start) against the runs seen (any order).
pub fn verdict(
    expr: &ScheduleExpr,
    tz: Tz,
    enabled: bool,
    start: Option<DateTime<Utc>>,
    runs: &[JobRun],
    now: DateTime<Utc>,
    grace: Duration,
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
            let got = verdict(&nightly, Tz::UTC, enabled, None, &runs, now, grace);
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
        );
        assert_eq!(just_due.label(), "ran");
        assert!(!just_due.is_bad());
    }

    #[test]
    fn rates_count_from_their_start_or_their_first_run_and_one_time_jobs_wait() {
        let hourly = ScheduleExpr::parse("rate(1 hour)").unwrap();
        let now = at("2026-12-07T10:30:00Z");
        let grace = Duration::minutes(5);
        let unknown = verdict(&hourly, Tz::UTC, true, None, &[], now, grace);
        assert_eq!(unknown, JobVerdict::Unknown);
        let missed = verdict(
            &hourly,
            Tz::UTC,
            true,
            Some(at("2026-12-07T07:00:00Z")),
            &[run("2026-12-07T09:00:10Z", RunOutcome::Succeeded)],
            now,
            grace,
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
        );
        assert_eq!(from_first.label(), "ran");
        let once = ScheduleExpr::parse("at(2027-01-01T09:00:00)").unwrap();
        assert_eq!(
            verdict(&once, Tz::UTC, true, None, &[], now, grace),
            JobVerdict::NotDueYet
        );
    }
}
