//! The AWS-backed inventory source: what one refresh of an environment reads.

use super::slot::InventorySource;
use crate::aws::call_stats::{with_purpose, Purpose};
use crate::aws::EnvClients;
use app::domain::apps::attribute_alarms;
use app::domain::inventory::{service_key, EnvDetails, EnvInventory, ResourceRef, ResourceUpdate};
use chrono::Utc;
use std::collections::{BTreeMap, BTreeSet};

#[async_trait::async_trait]
impl InventorySource for EnvClients {
    async fn fetch_inventory(&self) -> Result<EnvInventory, String> {
        with_purpose(Purpose::Inventory, self.read_inventory()).await
    }

    async fn fetch_details(&self, inventory: &EnvInventory) -> Result<EnvDetails, String> {
        with_purpose(Purpose::Details, self.read_details(inventory)).await
    }

    async fn fetch_resource(&self, resource: &ResourceRef) -> Result<ResourceUpdate, String> {
        with_purpose(Purpose::Resource, self.read_resource(resource)).await
    }
}

impl EnvClients {
    async fn read_inventory(&self) -> Result<EnvInventory, String> {
        let now = Utc::now();
        let clusters = self.clusters().await?;
        let services = async {
            let mut services = self.services(&clusters).await?;
            self.attach_task_definitions(&mut services).await?;
            // The autoscaling range only bounds the scale action: an account that does not grant
            // DescribeScalableTargets still gets its inventory, with the ranges unknown.
            match self.autoscaling_ranges().await {
                Ok(ranges) => {
                    for s in &mut services {
                        s.autoscaling = ranges.get(&(s.cluster.clone(), s.name.clone())).copied();
                    }
                }
                Err(e) => {
                    tracing::warn!(env = %self.env_id(), error = %e, "autoscaling ranges unknown")
                }
            }
            Ok::<_, String>(services)
        };
        let (services, databases, db_snapshots, db_events, alarms) = tokio::join!(
            services,
            self.databases(),
            self.db_snapshots(),
            self.db_events(now),
            self.alarms()
        );
        let mut inventory = EnvInventory {
            fetched_at: None,
            clusters: clusters.clone(),
            services: services?,
            databases: databases?,
            db_snapshots: db_snapshots?,
            db_events: db_events?,
            alarms: alarms?,
        };
        attribute_alarms(&mut inventory);
        Ok(inventory)
    }

    async fn read_details(&self, inventory: &EnvInventory) -> Result<EnvDetails, String> {
        let now = Utc::now();
        let mut current: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for s in &inventory.services {
            if let Some(td) = &s.task_definition {
                current
                    .entry(td.family.clone())
                    .or_default()
                    .insert(td.arn.clone());
            }
        }
        let (metrics, tasks, revisions) = tokio::join!(
            self.metrics(inventory, now),
            self.tasks(&inventory.clusters),
            self.revisions(&current, false)
        );
        let mut details = metrics?;
        details.revisions = revisions?;
        details.tasks = tasks?
            .into_iter()
            .map(|((cluster, service), tasks)| (service_key(&cluster, &service), tasks))
            .collect();
        Ok(details)
    }

    async fn read_resource(&self, resource: &ResourceRef) -> Result<ResourceUpdate, String> {
        Ok(match resource {
            ResourceRef::Service { cluster, name } => {
                let (service, revisions) = self.service(cluster, name).await?;
                ResourceUpdate::Service {
                    cluster: cluster.clone(),
                    name: name.clone(),
                    service,
                    revisions,
                }
            }
            ResourceRef::Database { id, aurora } => {
                let (database, snapshots) = self.database_and_snapshots(id, *aurora).await?;
                ResourceUpdate::Database {
                    id: id.clone(),
                    database,
                    snapshots,
                }
            }
            ResourceRef::Alarm { name } => ResourceUpdate::Alarm {
                name: name.clone(),
                alarm: self.alarm(name).await?,
            },
        })
    }
}
