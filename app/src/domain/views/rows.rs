//! The table rows several pages share: services, databases and alarms, each with the figures its
//! row shows, and which alarms watch which resource.

use crate::domain::ids::EnvId;
use crate::domain::inventory::{
    split_image, Alarm, AlarmResource, AlarmState, Database, EnvDetails, EnvInventory, Service,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A row of a services table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRow {
    pub env: EnvId,
    pub cluster: String,
    pub name: String,
    pub app: Option<String>,
    pub status: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub revision: String,
    /// Image versions (tag or digest) of the containers, in definition order.
    pub versions: Vec<String>,
    pub deploying: bool,
    pub rollout_state: Option<String>,
    pub last_event_at: Option<DateTime<Utc>>,
    pub alarms_firing: u32,
    /// Its load balancer targets by state; `None` without a target group or before one was read.
    #[serde(default)]
    pub targets: Option<crate::domain::load_balancing::TargetCounts>,
}

impl ServiceRow {
    pub fn of(env: &EnvId, service: &Service, alarms: &[Alarm]) -> Self {
        let alarms_firing = firing(alarms, |a| {
            !a.is_scaling_signal() && watches_service(a, service)
        });
        Self::with_firing(env, service, alarms_firing)
    }

    /// The row, with the count of its firing alarms already known.
    pub fn with_firing(env: &EnvId, service: &Service, alarms_firing: u32) -> Self {
        let versions = service
            .task_definition
            .as_ref()
            .map(|td| {
                td.containers
                    .iter()
                    .map(|c| split_image(&c.image).1.to_string())
                    .collect()
            })
            .unwrap_or_default();
        let primary = service.deployments.iter().find(|d| d.status == "PRIMARY");
        Self {
            env: env.clone(),
            cluster: service.cluster.clone(),
            name: service.name.clone(),
            app: service.app.clone(),
            status: service.status.clone(),
            desired: service.desired,
            running: service.running,
            pending: service.pending,
            revision: service.revision_label(),
            versions,
            deploying: service.deploying(),
            rollout_state: primary.and_then(|d| d.rollout_state.clone()),
            last_event_at: service.events.iter().filter_map(|e| e.at).max(),
            alarms_firing,
            targets: None,
        }
    }
}

/// Firing alarms per `(cluster, service)`, counted in one pass.
pub(super) fn firing_by_service(alarms: &[Alarm]) -> BTreeMap<(&str, &str), u32> {
    let mut out = BTreeMap::new();
    for a in alarms
        .iter()
        .filter(|a| a.state == AlarmState::Alarm && !a.is_scaling_signal())
    {
        if let AlarmResource::Service { cluster, service } = &a.resource {
            *out.entry((cluster.as_str(), service.as_str())).or_insert(0) += 1;
        }
    }
    out
}

pub(super) fn watches_service(alarm: &Alarm, service: &Service) -> bool {
    matches!(&alarm.resource, AlarmResource::Service { cluster, service: name }
        if *cluster == service.cluster && *name == service.name)
}

pub(super) fn watches_database(alarm: &Alarm, db: &Database) -> bool {
    matches!(&alarm.resource, AlarmResource::Database { id } if *id == db.id)
}

pub(super) fn watches_queue(alarm: &Alarm, name: &str) -> bool {
    matches!(&alarm.resource, AlarmResource::Queue { name: n } if n == name)
}

pub(super) fn watches_function(alarm: &Alarm, name: &str) -> bool {
    matches!(&alarm.resource, AlarmResource::Function { name: n } if n == name)
}

/// The alarms among `alarms` that `watches` picks, in display order (a resource page's list).
pub(super) fn watching(alarms: &[Alarm], watches: impl Fn(&Alarm) -> bool) -> Vec<Alarm> {
    let mut picked: Vec<Alarm> = alarms.iter().filter(|a| watches(a)).cloned().collect();
    crate::domain::alarm_filter::sort_for_display(&mut picked, |a| a);
    picked
}

/// How many of the alarms `watches` picks are firing (a table row's count).
pub(super) fn firing(alarms: &[Alarm], watches: impl Fn(&Alarm) -> bool) -> u32 {
    alarms
        .iter()
        .filter(|a| a.state == AlarmState::Alarm && watches(a))
        .count() as u32
}

/// A database with the figures its table row needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseRow {
    pub env: EnvId,
    pub database: Database,
    pub free_storage_bytes: Option<f64>,
    pub latest_snapshot_at: Option<DateTime<Utc>>,
    pub alarms_firing: u32,
}

impl DatabaseRow {
    pub(super) fn of(
        env: &EnvId,
        db: &Database,
        inventory: &EnvInventory,
        metrics: Option<&EnvDetails>,
    ) -> Self {
        Self {
            env: env.clone(),
            database: db.clone(),
            free_storage_bytes: metrics
                .and_then(|m| m.databases.get(&db.id))
                .and_then(|m| m.free_storage_bytes.latest()),
            latest_snapshot_at: inventory
                .db_snapshots
                .iter()
                .filter(|s| s.db_id == db.id)
                .filter_map(|s| s.created_at)
                .max(),
            alarms_firing: firing(&inventory.alarms, |a| watches_database(a, db)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmRow {
    pub env: EnvId,
    pub alarm: Alarm,
}
