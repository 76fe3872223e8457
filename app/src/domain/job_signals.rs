//! Scheduled jobs as incident signals: each job's verdict as an alarm-shaped state the incident
//! poller follows like a CloudWatch alarm's — ALARM when its last due run failed or did not
//! happen, OK when it ran (or is running, or is switched off), INSUFFICIENT_DATA when the console
//! cannot tell — so a missed or failed job opens its app's incident, pages, and resolves when a
//! later run succeeds.

use super::inventory::{Alarm, AlarmResource, AlarmState, EnvDetails};
use super::scheduled_jobs::{JobSource, JobVerdict};
use chrono::{DateTime, Utc};

/// The prefix of a job signal's name: `job:rule/<rule>` or `job:schedule/<group>/<name>`.
pub const PREFIX: &str = "job:";

/// Whether an alarm name is a job's signal rather than a CloudWatch alarm.
pub fn is_job_signal(name: &str) -> bool {
    name.starts_with(PREFIX)
}

/// One signal per job the details hold, at `now`.
pub fn job_signals(details: &EnvDetails, now: DateTime<Utc>) -> Vec<Alarm> {
    let jobs = &details.jobs;
    jobs.jobs
        .iter()
        .map(|job| {
            let verdict = jobs.verdict_of(job, now);
            let (state, at) = match &verdict {
                JobVerdict::Failed { at, .. } => (AlarmState::Alarm, Some(*at)),
                JobVerdict::Missed { due } => (AlarmState::Alarm, Some(*due)),
                JobVerdict::Ok { last } => (AlarmState::Ok, Some(*last)),
                JobVerdict::Running { since } => (AlarmState::Ok, Some(*since)),
                JobVerdict::Disabled | JobVerdict::NotDueYet => (AlarmState::Ok, None),
                JobVerdict::Unknown => (AlarmState::InsufficientData, None),
            };
            Alarm {
                name: format!("{PREFIX}{}", job.key()),
                arn: job.arn.clone(),
                state,
                reason: format!("scheduled job {}: {}", job.name, verdict.label()),
                updated_at: at,
                actions_enabled: true,
                namespace: None,
                metric: None,
                dimensions: Vec::new(),
                description: job.description.clone(),
                threshold: None,
                comparison: None,
                resource: match job.source {
                    JobSource::Rule => AlarmResource::Rule {
                        name: job.name.clone(),
                    },
                    JobSource::Schedule { .. } => AlarmResource::Other {
                        label: format!("schedule {}", job.name),
                    },
                },
                app: job.app.clone(),
                actions: Vec::new(),
                rule: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scheduled_jobs::{JobRun, RunOutcome, ScheduledJobs};
    use crate::domain::test_time::at;

    fn job(name: &str, enabled: bool) -> crate::domain::scheduled_jobs::ScheduledJob {
        crate::domain::fixtures::nightly_job(name, Some("cloudarch"), enabled)
    }

    #[test]
    fn a_missed_or_failed_job_fires_and_one_that_ran_is_ok() {
        let now = at("2026-12-07T10:00:00Z");
        let mut jobs = ScheduledJobs {
            jobs: vec![
                job("missed", true),
                job("failed", true),
                job("ran", true),
                job("off", false),
            ],
            watched_since: Some(at("2026-12-01T00:00:00Z")),
            ..Default::default()
        };
        let run = |outcome| JobRun {
            started_at: at("2026-12-07T03:15:30Z"),
            stopped_at: None,
            outcome,
            task_arn: None,
            manual: false,
            start_estimated: false,
        };
        jobs.runs.insert(
            "rule/failed".into(),
            vec![run(RunOutcome::Failed("cleanup exited with code 1".into()))],
        );
        jobs.runs
            .insert("rule/ran".into(), vec![run(RunOutcome::Succeeded)]);
        let details = EnvDetails {
            jobs,
            ..EnvDetails::default()
        };
        let signals = job_signals(&details, now);
        let states: Vec<(&str, AlarmState)> =
            signals.iter().map(|a| (a.name.as_str(), a.state)).collect();
        assert_eq!(
            states,
            [
                ("job:rule/missed", AlarmState::Alarm),
                ("job:rule/failed", AlarmState::Alarm),
                ("job:rule/ran", AlarmState::Ok),
                ("job:rule/off", AlarmState::Ok),
            ]
        );
        assert_eq!(
            signals[1].reason,
            "scheduled job failed: last run failed: cleanup exited with code 1"
        );
        assert_eq!(signals[0].updated_at, Some(at("2026-12-07T03:15:00Z")));
        assert_eq!(signals[0].app.as_deref(), Some("cloudarch"));
        assert!(signals.iter().all(|s| is_job_signal(&s.name)));
    }
}
