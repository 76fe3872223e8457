//! The service page: the service with its tasks (running and recently stopped), metrics and
//! alarms, the revisions it could be rolled back to and the desired counts it may be scaled to.

use super::action_panel::ActionPanel;
use super::rows::watches_service;
use super::summary::{EnvCard, EnvData};
use crate::domain::alarm_filter::sort_for_display;
use crate::domain::inventory::{service_key, Alarm, Service, ServiceMetrics};
use crate::domain::plans::{rollback_context, RollbackContext};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceView {
    pub generated_at: DateTime<Utc>,
    pub card: EnvCard,
    pub service: Service,
    pub metrics: Option<ServiceMetrics>,
    pub alarms: Vec<Alarm>,
    /// Filled in by the server function for the person asking.
    pub actions: Option<ActionPanel>,
    /// Revisions of the service's family the service could be rolled back (or forward) to.
    pub revisions: Vec<crate::domain::inventory::TaskDefinition>,
    /// When each revision (by ARN) last started running here, as far as the console knows.
    pub last_deployed: BTreeMap<String, DateTime<Utc>>,
    /// The desired counts the scale action accepts.
    pub bounds: crate::domain::actions::ScaleBounds,
    /// The counts it accepts when it also changes the autoscaling range (config or default).
    pub hard_bounds: crate::domain::actions::ScaleBounds,
    /// Release requests for this service that have not finished. Filled in by the server
    /// function.
    #[serde(default)]
    pub open_releases: Vec<crate::domain::approvals::Release>,
    /// The tasks ECS stopped recently, newest first, with why and how their containers exited.
    #[serde(default)]
    pub stopped_tasks: Vec<crate::domain::inventory::Task>,
    /// The rollout the console last followed on this service. Filled in by the server function.
    #[serde(default)]
    pub followed: Option<crate::domain::followed::FollowedRollout>,
    /// How long a rollout may take before it is called stuck.
    #[serde(default = "default_timeout_minutes")]
    pub rollout_timeout_minutes: i64,
}

fn default_timeout_minutes() -> i64 {
    crate::domain::followed::DEFAULT_TIMEOUT_MINUTES
}

/// The service page, or `None` when the environment has no such service.
pub fn service(
    env: &EnvData<'_>,
    cluster: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Option<ServiceView> {
    let inv = env.inventory?;
    let RollbackContext {
        service,
        revisions,
        last_deployed,
    } = rollback_context(env, cluster, name)?;
    let mut alarms: Vec<Alarm> = inv
        .alarms
        .iter()
        .filter(|a| watches_service(a, service))
        .cloned()
        .collect();
    sort_for_display(&mut alarms, |a| a);
    let key = service_key(cluster, name);
    let mut service = service.clone();
    if let Some(tasks) = env.details.and_then(|d| d.tasks.get(&key)) {
        service.tasks = tasks.clone();
    }
    let scaling = &env.descriptor.scaling;
    let bounds = scaling.bounds_for(&service.cluster, &service.name, service.autoscaling);
    let hard_bounds = scaling.bounds_for(&service.cluster, &service.name, None);
    Some(ServiceView {
        generated_at: now,
        card: env.card(now),
        service,
        metrics: env.details.and_then(|m| m.services.get(&key)).cloned(),
        alarms,
        actions: None,
        revisions,
        last_deployed,
        bounds,
        hard_bounds,
        open_releases: Vec::new(),
        stopped_tasks: env
            .details
            .and_then(|d| d.stopped_tasks.get(&key))
            .cloned()
            .unwrap_or_default(),
        followed: None,
        rollout_timeout_minutes: default_timeout_minutes(),
    })
}
