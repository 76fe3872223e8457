//! The checked form of the actions on scheduled jobs (`prepare` dispatches here): the rule or
//! schedule found in the environment's last details cycle, the request checked by
//! `domain::job_actions`, and the command with its summary and before → after rows.

use super::prepared::Prepared;
use crate::domain::job_actions::{job_action_target, plan_run, plan_state};
use crate::domain::scheduled_jobs::{parse_job_key, ScheduledJob};
use crate::error::AppError;
use crate::ports::{ActionCommand, EnvState};

/// The job `key` names, as the last details cycle read it.
pub(super) fn target_job<'s>(state: &'s EnvState, key: &str) -> Result<&'s ScheduledJob, AppError> {
    let key = parse_job_key(key).map_err(AppError::Invalid)?;
    let details = state.details.as_deref().ok_or_else(|| {
        AppError::NotFound(format!(
            "the scheduled jobs of {} have not been read yet (the first details cycle is running): try again in a minute",
            state.descriptor.id
        ))
    })?;
    details.jobs.get(&key).ok_or_else(|| {
        AppError::NotFound(format!(
            "there is no scheduled job {key} in {}: no rule with a schedule expression or Scheduler schedule by that name",
            state.descriptor.id
        ))
    })
}

pub(super) fn run_job(state: &EnvState, key: &str) -> Result<Prepared, AppError> {
    let job = target_job(state, key)?;
    let (plan, run) = plan_run(job).map_err(AppError::Invalid)?;
    let mut prepared = Prepared::plain(
        job_action_target(&job.key()),
        serde_json::json!({ "job": job.key(), "target": job.target.as_ref().map(|t| t.describe()) }),
        plan.summary,
        ActionCommand::RunJob {
            key: job.key(),
            run,
        },
        job.name.clone(),
    );
    prepared.changes = plan.changes;
    Ok(prepared)
}

pub(super) fn set_job_state(
    state: &EnvState,
    key: &str,
    enabled: bool,
) -> Result<Prepared, AppError> {
    let job = target_job(state, key)?;
    let plan = plan_state(job, enabled).map_err(AppError::Invalid)?;
    let mut prepared = Prepared::plain(
        job_action_target(&job.key()),
        serde_json::json!({ "job": job.key(), "enabled": enabled }),
        plan.summary,
        ActionCommand::SetJobState {
            key: job.key(),
            source: job.source.clone(),
            name: job.name.clone(),
            enabled,
        },
        job.name.clone(),
    );
    prepared.changes = plan.changes;
    Ok(prepared)
}
