//! The checked form of the actions on queues and functions (`prepare` dispatches here): the
//! queue, function, alias or mapping found in the environment's last details cycle, the request
//! checked by `domain::work_actions`, and the command with its summary and before → after rows.

use super::prepared::Prepared;
use crate::domain::functions::{parse_function_name, Alias, Function};
use crate::domain::queues::{parse_queue_name, Queue};
use crate::domain::work_actions::{
    function_target, plan_alias, plan_alias_rollback, plan_cancel_redrive, plan_concurrency,
    plan_mapping, plan_purge, plan_redrive, queue_target, WorkPlan,
};
use crate::error::AppError;
use crate::ports::{ActionCommand, EnvState};

/// The environment's queues and functions as last read; an environment whose first details
/// cycle has not finished has none to act on yet.
fn details(state: &EnvState) -> Result<&crate::domain::inventory::EnvDetails, AppError> {
    state.details.as_deref().ok_or_else(|| {
        AppError::NotFound(format!(
            "the queues and functions of {} have not been read yet (the first details cycle is running): try again in a minute",
            state.descriptor.id
        ))
    })
}

fn target_queue<'s>(state: &'s EnvState, name: &str) -> Result<&'s Queue, AppError> {
    let name = parse_queue_name(name).map_err(AppError::Invalid)?;
    details(state)?.queues.get(&name).ok_or_else(|| {
        AppError::NotFound(format!(
            "there is no queue {name} in {}",
            state.descriptor.id
        ))
    })
}

fn target_function<'s>(state: &'s EnvState, name: &str) -> Result<&'s Function, AppError> {
    let name = parse_function_name(name).map_err(AppError::Invalid)?;
    details(state)?.functions.get(&name).ok_or_else(|| {
        AppError::NotFound(format!(
            "there is no function {name} in {}",
            state.descriptor.id
        ))
    })
}

fn target_alias<'f>(function: &'f Function, alias: &str) -> Result<&'f Alias, AppError> {
    let alias = alias.trim();
    function
        .aliases
        .iter()
        .find(|a| a.name == alias)
        .ok_or_else(|| AppError::NotFound(format!("{} has no alias {alias:?}", function.name)))
}

/// A checked plan on `target`, confirmed (in protected environments) by typing `confirm_name`.
fn planned(
    target: String,
    confirm_name: String,
    params: serde_json::Value,
    plan: WorkPlan,
    command: ActionCommand,
) -> Prepared {
    let mut prepared = Prepared::plain(target, params, plan.summary, command, confirm_name);
    prepared.changes = plan.changes;
    prepared
}

pub(super) fn redrive(state: &EnvState, queue: &str, rate: &str) -> Result<Prepared, AppError> {
    let dlq = target_queue(state, queue)?;
    let plan = plan_redrive(&details(state)?.queues, dlq, rate).map_err(AppError::Invalid)?;
    Ok(planned(
        queue_target(&dlq.name),
        dlq.name.clone(),
        serde_json::json!({ "destination": plan.destination_arn, "rate": plan.rate }),
        plan.plan,
        ActionCommand::Redrive {
            queue: dlq.name.clone(),
            source_arn: plan.source_arn,
            destination_arn: plan.destination_arn,
            rate: plan.rate,
        },
    ))
}

pub(super) fn cancel_redrive(state: &EnvState, queue: &str) -> Result<Prepared, AppError> {
    let dlq = target_queue(state, queue)?;
    let (plan, handle) =
        plan_cancel_redrive(&details(state)?.queues, dlq).map_err(AppError::Invalid)?;
    Ok(planned(
        queue_target(&dlq.name),
        dlq.name.clone(),
        serde_json::json!({ "handle": handle }),
        plan,
        ActionCommand::CancelRedrive {
            queue: dlq.name.clone(),
            source_arn: dlq.arn.clone(),
            handle,
        },
    ))
}

pub(super) fn purge(
    state: &EnvState,
    queue: &str,
    confirm: Option<&str>,
) -> Result<Prepared, AppError> {
    let found = target_queue(state, queue)?;
    let plan = plan_purge(found, confirm).map_err(AppError::Invalid)?;
    Ok(planned(
        queue_target(&found.name),
        found.name.clone(),
        serde_json::json!({}),
        plan,
        ActionCommand::Purge {
            queue: found.name.clone(),
            url: found.url.clone(),
        },
    ))
}

pub(super) fn set_mapping(
    state: &EnvState,
    function: &str,
    uuid: &str,
    enabled: bool,
) -> Result<Prepared, AppError> {
    let found = target_function(state, function)?;
    let uuid = uuid.trim();
    let mapping = details(state)?
        .functions
        .mappings_of(&found.name)
        .into_iter()
        .find(|m| m.uuid == uuid)
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "{} has no event source mapping {uuid:?}",
                found.name
            ))
        })?;
    let plan = plan_mapping(found, mapping, enabled).map_err(AppError::Invalid)?;
    Ok(planned(
        function_target(&found.name),
        found.name.clone(),
        serde_json::json!({ "mapping": mapping.uuid, "enabled": enabled }),
        plan,
        ActionCommand::SetMapping {
            function: found.name.clone(),
            uuid: mapping.uuid.clone(),
            enabled,
        },
    ))
}

pub(super) fn update_alias(
    state: &EnvState,
    function: &str,
    alias: &str,
    version: &str,
    additional: &str,
    weight: &str,
) -> Result<Prepared, AppError> {
    let found = target_function(state, function)?;
    let current = target_alias(found, alias)?;
    let (plan, from, to) =
        plan_alias(found, current, version, additional, weight).map_err(AppError::Invalid)?;
    Ok(alias_change(found, current, plan, from, to))
}

pub(super) fn rollback_alias(
    state: &EnvState,
    function: &str,
    alias: &str,
) -> Result<Prepared, AppError> {
    let found = target_function(state, function)?;
    let current = target_alias(found, alias)?;
    let (plan, from, to) = plan_alias_rollback(found, current).map_err(AppError::Invalid)?;
    Ok(alias_change(found, current, plan, from, to))
}

fn alias_change(
    function: &Function,
    alias: &Alias,
    plan: WorkPlan,
    from: crate::domain::work_actions::AliasRouting,
    to: crate::domain::work_actions::AliasRouting,
) -> Prepared {
    planned(
        function_target(&function.name),
        function.name.clone(),
        serde_json::json!({ "alias": alias.name, "version": to.version, "weights": to.weights }),
        plan,
        ActionCommand::UpdateAlias {
            function: function.name.clone(),
            alias: alias.name.clone(),
            from,
            to,
        },
    )
}

pub(super) fn set_concurrency(
    state: &EnvState,
    function: &str,
    reserved: &str,
) -> Result<Prepared, AppError> {
    let found = target_function(state, function)?;
    let (plan, to) = plan_concurrency(found, reserved).map_err(AppError::Invalid)?;
    Ok(planned(
        function_target(&found.name),
        found.name.clone(),
        serde_json::json!({ "reserved": to }),
        plan,
        ActionCommand::SetConcurrency {
            function: found.name.clone(),
            from: found.reserved_concurrency,
            to,
        },
    ))
}
