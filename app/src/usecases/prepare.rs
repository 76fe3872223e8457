//! The checked form of each action, the same for the pages and the automation API: the resource
//! found in the environment's inventory, the request checked by the domain plan, and the command
//! with its summary and before → after rows.

pub use super::prepared::Prepared;
use crate::domain::actions::{snapshot_name, ActionKind};
use crate::domain::ids::parse_resource_name;
use crate::domain::inventory::{DbKind, Service};
use crate::domain::plans::{plan_deploy, plan_redeploy, plan_rollback, plan_scale};
use crate::error::AppError;
use crate::ports::{ActionCommand, EnvState};
use chrono::{DateTime, Utc};

/// What an action asks to change, as a form or an API call gave it (text not yet checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionRequest {
    Scale {
        cluster: String,
        service: String,
        desired: String,
        /// Whether to move the service's autoscaling range to take the count, in the same
        /// action.
        widen_autoscaling: bool,
    },
    Deploy {
        cluster: String,
        service: String,
        container: String,
        image: String,
    },
    Rollback {
        cluster: String,
        service: String,
        revision: String,
    },
    Redeploy {
        cluster: String,
        service: String,
    },
    Snapshot {
        db: String,
    },
    SetAlarmActions {
        alarm: String,
        enabled: bool,
    },
    /// Move a dead-letter queue's messages back to their source, at `rate` a second (empty:
    /// SQS's pace).
    Redrive {
        queue: String,
        rate: String,
    },
    CancelRedrive {
        queue: String,
    },
    /// Purge a queue: `confirm` is the queue's name, typed whatever the environment.
    Purge {
        queue: String,
        confirm: Option<String>,
    },
    /// Pause (`enabled` false) or resume event source mapping `uuid` of `function`.
    SetMapping {
        function: String,
        uuid: String,
        enabled: bool,
    },
    /// Point `alias` at `version`, with `additional` (empty for none) taking `weight`.
    UpdateAlias {
        function: String,
        alias: String,
        version: String,
        additional: String,
        weight: String,
    },
    RollbackAlias {
        function: String,
        alias: String,
    },
    /// Reserved concurrency as typed: a number, or empty to remove the reservation.
    SetConcurrency {
        function: String,
        reserved: String,
    },
    /// Run scheduled job `key` (`rule/<name>`, `schedule/<group>/<name>`) once now.
    RunJob {
        key: String,
    },
    /// Enable or disable scheduled job `key`.
    SetJobState {
        key: String,
        enabled: bool,
    },
    /// Set Auto Scaling group `group`'s desired capacity, as typed.
    SetCapacity {
        group: String,
        desired: String,
    },
    /// Set Auto Scaling group `group`'s minimum and maximum, as typed.
    SetCapacityBounds {
        group: String,
        min: String,
        max: String,
    },
    /// Start an instance refresh of `group`, keeping `min_healthy` percent (empty: 90).
    RefreshInstances {
        group: String,
        min_healthy: String,
    },
}

impl ActionRequest {
    pub fn kind(&self) -> ActionKind {
        match self {
            ActionRequest::Scale { .. } => ActionKind::Scale,
            ActionRequest::Deploy { .. } => ActionKind::Deploy,
            ActionRequest::Rollback { .. } => ActionKind::Rollback,
            ActionRequest::Redeploy { .. } => ActionKind::Redeploy,
            ActionRequest::Snapshot { .. } => ActionKind::Snapshot,
            ActionRequest::SetAlarmActions { enabled: true, .. } => ActionKind::UnmuteAlarm,
            ActionRequest::SetAlarmActions { enabled: false, .. } => ActionKind::MuteAlarm,
            ActionRequest::Redrive { .. } => ActionKind::RedriveQueue,
            ActionRequest::CancelRedrive { .. } => ActionKind::CancelRedrive,
            ActionRequest::Purge { .. } => ActionKind::PurgeQueue,
            ActionRequest::SetMapping { enabled: false, .. } => ActionKind::PauseMapping,
            ActionRequest::SetMapping { enabled: true, .. } => ActionKind::ResumeMapping,
            ActionRequest::UpdateAlias { .. } => ActionKind::UpdateAlias,
            ActionRequest::RollbackAlias { .. } => ActionKind::RollbackAlias,
            ActionRequest::SetConcurrency { .. } => ActionKind::SetConcurrency,
            ActionRequest::RunJob { .. } => ActionKind::RunJob,
            ActionRequest::SetJobState { enabled: true, .. } => ActionKind::EnableJob,
            ActionRequest::SetJobState { enabled: false, .. } => ActionKind::DisableJob,
            ActionRequest::SetCapacity { .. } => ActionKind::SetCapacity,
            ActionRequest::SetCapacityBounds { .. } => ActionKind::SetCapacityBounds,
            ActionRequest::RefreshInstances { .. } => ActionKind::RefreshInstances,
        }
    }
}

/// Checks `request` against the environment's state: the one dispatch by kind that the pages
/// and the automation API share.
pub fn prepare(
    state: &EnvState,
    request: &ActionRequest,
    reason: Option<String>,
    ticket_url: Option<String>,
    now: DateTime<Utc>,
) -> Result<Prepared, AppError> {
    let mut prepared = match request {
        ActionRequest::Scale {
            cluster,
            service,
            desired,
            widen_autoscaling,
        } => scale(state, cluster, service, desired, *widen_autoscaling)?,
        ActionRequest::Deploy {
            cluster,
            service,
            container,
            image,
        } => deploy(state, cluster, service, container, image)?,
        ActionRequest::Rollback {
            cluster,
            service,
            revision,
        } => rollback(state, cluster, service, revision, now)?,
        ActionRequest::Redeploy { cluster, service } => redeploy(state, cluster, service)?,
        ActionRequest::Snapshot { db } => snapshot(state, db, now)?,
        ActionRequest::SetAlarmActions { alarm, enabled } => {
            set_alarm_actions(state, alarm, *enabled, reason.as_deref())?
        }
        ActionRequest::Redrive { queue, rate } => super::work::redrive(state, queue, rate)?,
        ActionRequest::CancelRedrive { queue } => super::work::cancel_redrive(state, queue)?,
        ActionRequest::Purge { queue, confirm } => {
            super::work::purge(state, queue, confirm.as_deref())?
        }
        ActionRequest::SetMapping {
            function,
            uuid,
            enabled,
        } => super::work::set_mapping(state, function, uuid, *enabled)?,
        ActionRequest::UpdateAlias {
            function,
            alias,
            version,
            additional,
            weight,
        } => super::work::update_alias(state, function, alias, version, additional, weight)?,
        ActionRequest::RollbackAlias { function, alias } => {
            super::work::rollback_alias(state, function, alias)?
        }
        ActionRequest::SetConcurrency { function, reserved } => {
            super::work::set_concurrency(state, function, reserved)?
        }
        ActionRequest::RunJob { key } => super::jobs::run_job(state, key)?,
        ActionRequest::SetJobState { key, enabled } => {
            super::jobs::set_job_state(state, key, *enabled)?
        }
        ActionRequest::SetCapacity { group, desired } => {
            super::asgs::set_capacity(state, group, desired)?
        }
        ActionRequest::SetCapacityBounds { group, min, max } => {
            super::asgs::set_bounds(state, group, min, max)?
        }
        ActionRequest::RefreshInstances { group, min_healthy } => {
            super::asgs::refresh(state, group, min_healthy)?
        }
    };
    prepared.reason = reason;
    prepared.ticket_url = ticket_url;
    Ok(prepared)
}

/// The service an action names: names validated, then found in the environment's inventory.
pub fn target_service(state: &EnvState, cluster: &str, service: &str) -> Result<Service, AppError> {
    let cluster = parse_resource_name("cluster name", cluster)?;
    let service = parse_resource_name("service name", service)?;
    state
        .inventory
        .as_ref()
        .and_then(|inv| inv.service(&cluster, &service).cloned())
        .ok_or_else(|| no_service(state, &cluster, &service))
}

fn no_service(state: &EnvState, cluster: &str, service: &str) -> AppError {
    AppError::NotFound(format!(
        "there is no service {service} in cluster {cluster} of {}",
        state.descriptor.id
    ))
}

/// A change of one service, confirmed by typing its name.
fn service_change(
    current: &Service,
    params: serde_json::Value,
    plan: crate::domain::plans::Plan,
    command: ActionCommand,
) -> Prepared {
    let mut prepared = Prepared::plain(
        format!("{}/{}", current.cluster, current.name),
        params,
        plan.summary,
        command,
        current.name.clone(),
    );
    prepared.changes = plan.changes;
    prepared
}

/// Scale `cluster/service` to `desired` within its bounds.
fn scale(
    state: &EnvState,
    cluster: &str,
    service: &str,
    desired: &str,
    widen: bool,
) -> Result<Prepared, AppError> {
    let current = target_service(state, cluster, service)?;
    let scaling = &state.descriptor.scaling;
    let bounds = scaling.bounds_for(&current.cluster, &current.name, current.autoscaling);
    let hard = scaling.bounds_for(&current.cluster, &current.name, None);
    let (plan, target) =
        plan_scale(&current, bounds, hard, desired, widen).map_err(AppError::Invalid)?;
    let desired = target.desired.get();
    let command = ActionCommand::Scale {
        cluster: current.cluster.clone(),
        service: current.name.clone(),
        desired,
        from: Some(current.desired),
        range: target.range,
    };
    let params = match target.range {
        Some(r) => serde_json::json!({ "desired": desired, "autoscaling_range": [r.to.0, r.to.1] }),
        None => serde_json::json!({ "desired": desired }),
    };
    Ok(service_change(&current, params, plan, command))
}

/// Deploy `image` to `container` of `cluster/service`.
fn deploy(
    state: &EnvState,
    cluster: &str,
    service: &str,
    container: &str,
    image: &str,
) -> Result<Prepared, AppError> {
    let current = target_service(state, cluster, service)?;
    let (plan, target) = plan_deploy(&current, container, image).map_err(AppError::Invalid)?;
    let command = ActionCommand::Deploy {
        cluster: current.cluster.clone(),
        service: current.name.clone(),
        from: target.from.clone(),
        container: target.container.clone(),
        image: target.image.as_str().to_string(),
    };
    Ok(service_change(
        &current,
        serde_json::json!({ "container": target.container, "image": target.image.as_str(), "from": target.from }),
        plan,
        command,
    ))
}

/// Roll `cluster/service` back (or forward) to `revision`.
fn rollback(
    state: &EnvState,
    cluster: &str,
    service: &str,
    revision: &str,
    now: DateTime<Utc>,
) -> Result<Prepared, AppError> {
    let cluster = parse_resource_name("cluster name", cluster)?;
    let service = parse_resource_name("service name", service)?;
    let history = crate::domain::plans::rollback_context(&state.data(), &cluster, &service)
        .ok_or_else(|| no_service(state, &cluster, &service))?;
    let (plan, target) = plan_rollback(
        history.service,
        &history.revisions,
        revision,
        &history.last_deployed,
        now,
    )
    .map_err(AppError::Invalid)?;
    let command = ActionCommand::Rollback {
        cluster: cluster.clone(),
        service: service.clone(),
        task_definition: target.arn.clone(),
        from: Some(history.service.task_definition_arn.clone()),
    };
    Ok(service_change(
        history.service,
        serde_json::json!({ "revision": target.arn }),
        plan,
        command,
    ))
}

/// A new deployment of `cluster/service`: same revision, fresh tasks.
fn redeploy(state: &EnvState, cluster: &str, service: &str) -> Result<Prepared, AppError> {
    let current = target_service(state, cluster, service)?;
    let plan = plan_redeploy(&current);
    let command = ActionCommand::Redeploy {
        cluster: current.cluster.clone(),
        service: current.name.clone(),
        revision: Some(current.task_definition_arn.clone()),
    };
    Ok(service_change(
        &current,
        serde_json::json!({}),
        plan,
        command,
    ))
}

/// A manual snapshot of a database, named `<db>-qd-<UTC time>`.
fn snapshot(state: &EnvState, db: &str, now: DateTime<Utc>) -> Result<Prepared, AppError> {
    let id = parse_resource_name("database id", db)?;
    let db = state
        .inventory
        .as_ref()
        .and_then(|inv| inv.database(&id).cloned())
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "there is no database {id} in {}",
                state.descriptor.id
            ))
        })?;
    let name = snapshot_name(&db.id, now);
    Ok(Prepared::plain(
        db.id.clone(),
        serde_json::json!({}),
        format!("snapshot {name}"),
        ActionCommand::Snapshot {
            db: db.id.clone(),
            aurora: db.kind == DbKind::AuroraCluster,
            name,
        },
        db.id,
    ))
}

/// Mute (disable) or unmute (enable) an alarm's actions.
fn set_alarm_actions(
    state: &EnvState,
    alarm: &str,
    enabled: bool,
    reason: Option<&str>,
) -> Result<Prepared, AppError> {
    let current = state
        .inventory
        .as_ref()
        .and_then(|inv| inv.alarms.iter().find(|a| a.name == alarm).cloned())
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "there is no alarm named {alarm:?} in {}",
                state.descriptor.id
            ))
        })?;
    if !enabled && current.is_scaling_signal() {
        return Err(AppError::Invalid(format!(
            "{} is a scaling signal: its actions are Application Auto Scaling policies, so muting it would switch that scaling off; change or remove the scaling policy instead",
            current.name
        )));
    }
    let verb = if enabled { "unmute" } else { "mute" };
    Ok(Prepared::plain(
        current.name.clone(),
        serde_json::json!({ "enabled": enabled, "reason": reason }),
        match reason {
            Some(r) => format!("{verb} alarm actions: {r}"),
            None => format!("{verb} alarm actions"),
        },
        ActionCommand::SetAlarmActions {
            alarm: current.name.clone(),
            enabled,
        },
        current.name,
    ))
}
