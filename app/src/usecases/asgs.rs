//! The checked form of the actions on EC2 Auto Scaling groups (`prepare` dispatches here): the
//! group found in the environment's last details cycle, the request checked by
//! `domain::auto_scaling_groups`, and the command with its summary and before → after rows.

use super::prepared::Prepared;
use crate::domain::auto_scaling_groups::{
    asg_target, parse_asg_name, plan_bounds, plan_capacity, plan_refresh, AutoScalingGroup,
};
use crate::domain::work_actions::WorkPlan;
use crate::error::AppError;
use crate::ports::{ActionCommand, EnvState};

/// The group `name` names, as the last details cycle read it.
fn target_group<'s>(state: &'s EnvState, name: &str) -> Result<&'s AutoScalingGroup, AppError> {
    let name = parse_asg_name(name).map_err(AppError::Invalid)?;
    let details = state.details.as_deref().ok_or_else(|| {
        AppError::NotFound(format!(
            "the Auto Scaling groups of {} have not been read yet (the first details cycle is running): try again in a minute",
            state.descriptor.id
        ))
    })?;
    details.asgs.get(&name).ok_or_else(|| {
        AppError::NotFound(format!(
            "there is no Auto Scaling group {name} in {}",
            state.descriptor.id
        ))
    })
}

fn planned(
    group: &AutoScalingGroup,
    params: serde_json::Value,
    plan: WorkPlan,
    command: ActionCommand,
) -> Prepared {
    let mut prepared = Prepared::plain(
        asg_target(&group.name),
        params,
        plan.summary,
        command,
        group.name.clone(),
    );
    prepared.changes = plan.changes;
    prepared
}

pub(super) fn set_capacity(
    state: &EnvState,
    group: &str,
    desired: &str,
) -> Result<Prepared, AppError> {
    let found = target_group(state, group)?;
    let (plan, to) = plan_capacity(found, desired).map_err(AppError::Invalid)?;
    Ok(planned(
        found,
        serde_json::json!({ "desired": to }),
        plan,
        ActionCommand::SetCapacity {
            group: found.name.clone(),
            from: found.desired,
            to,
        },
    ))
}

pub(super) fn set_bounds(
    state: &EnvState,
    group: &str,
    min: &str,
    max: &str,
) -> Result<Prepared, AppError> {
    let found = target_group(state, group)?;
    let (plan, to) = plan_bounds(found, min, max).map_err(AppError::Invalid)?;
    Ok(planned(
        found,
        serde_json::json!({ "min": to.0, "max": to.1 }),
        plan,
        ActionCommand::SetCapacityBounds {
            group: found.name.clone(),
            from: (found.min, found.max),
            to,
        },
    ))
}

pub(super) fn refresh(
    state: &EnvState,
    group: &str,
    min_healthy: &str,
) -> Result<Prepared, AppError> {
    let found = target_group(state, group)?;
    let (plan, pct) = plan_refresh(found, min_healthy).map_err(AppError::Invalid)?;
    Ok(planned(
        found,
        serde_json::json!({ "min_healthy_percentage": pct }),
        plan,
        ActionCommand::RefreshInstances {
            group: found.name.clone(),
            min_healthy: pct,
        },
    ))
}
