//! The checked form of each service action, shared by the server functions behind the pages and
//! the automation API: the service found in the inventory, the request checked by the domain
//! plan, and the command with its summary and before → after rows.

use super::actions::{target_service, Prepared};
use super::ports::{ActionCommand, EnvState};
use crate::domain::ids::parse_resource_name;
use crate::domain::plans::{plan_deploy, plan_rollback, plan_scale};
use crate::error::AppError;

/// Scale `cluster/service` to `desired` within its bounds.
pub fn scale(
    state: &EnvState,
    cluster: &str,
    service: &str,
    desired: &str,
    reason: Option<String>,
    ticket_url: Option<String>,
) -> Result<Prepared, AppError> {
    let current = target_service(state, cluster, service)?;
    let (cluster, service) = (current.cluster.clone(), current.name.clone());
    let bounds = state
        .descriptor
        .scaling
        .bounds_for(&cluster, &service, current.autoscaling);
    let (plan, desired) = plan_scale(&current, bounds, desired).map_err(AppError::Invalid)?;
    Ok(Prepared {
        diff: Vec::new(),
        group: None,
        target: format!("{cluster}/{service}"),
        params: serde_json::json!({ "desired": desired.get() }),
        summary: plan.summary,
        changes: plan.changes,
        ticket_url,
        command: ActionCommand::Scale {
            cluster: cluster.clone(),
            service: service.clone(),
            desired: desired.get(),
        },
        confirm_name: service,
        reason,
    })
}

/// Deploy `image` to `container` of `cluster/service`.
pub fn deploy(
    state: &EnvState,
    cluster: &str,
    service: &str,
    container: &str,
    image: &str,
    reason: Option<String>,
    ticket_url: Option<String>,
) -> Result<Prepared, AppError> {
    let current = target_service(state, cluster, service)?;
    let (cluster, service) = (current.cluster.clone(), current.name.clone());
    let (plan, target) = plan_deploy(&current, container, image).map_err(AppError::Invalid)?;
    Ok(Prepared {
        diff: Vec::new(),
        group: None,
        target: format!("{cluster}/{service}"),
        params: serde_json::json!({ "container": target.container, "image": target.image.as_str(), "from": target.from }),
        summary: plan.summary,
        changes: plan.changes,
        ticket_url,
        command: ActionCommand::Deploy {
            cluster: cluster.clone(),
            service: service.clone(),
            from: target.from.clone(),
            container: target.container.clone(),
            image: target.image.as_str().to_string(),
        },
        confirm_name: service,
        reason,
    })
}

/// Roll `cluster/service` back (or forward) to `revision`.
pub fn rollback(
    state: &EnvState,
    cluster: &str,
    service: &str,
    revision: &str,
    reason: Option<String>,
    ticket_url: Option<String>,
) -> Result<Prepared, AppError> {
    let cluster = parse_resource_name("cluster name", cluster)?;
    let service = parse_resource_name("service name", service)?;
    let now = chrono::Utc::now();
    let view =
        crate::domain::views::service(&state.data(), &cluster, &service, now).ok_or_else(|| {
            AppError::NotFound(format!(
                "there is no service {service} in cluster {cluster} of {}",
                state.descriptor.id
            ))
        })?;
    let (plan, target) = plan_rollback(
        &view.service,
        &view.revisions,
        revision,
        &view.last_deployed,
        now,
    )
    .map_err(AppError::Invalid)?;
    Ok(Prepared {
        diff: Vec::new(),
        group: None,
        target: format!("{cluster}/{service}"),
        params: serde_json::json!({ "revision": target.arn }),
        summary: plan.summary,
        changes: plan.changes,
        ticket_url,
        command: ActionCommand::Rollback {
            cluster: cluster.clone(),
            service: service.clone(),
            task_definition: target.arn.clone(),
        },
        confirm_name: service,
        reason,
    })
}
