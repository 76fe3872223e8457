//! The AWS-backed inventory source: what one refresh of an environment reads.

use super::slot::InventorySource;
use crate::aws::call_stats::{with_purpose, Purpose};
use crate::aws::EnvClients;
use app::domain::inventory::{
    service_key, EnvDetails, EnvInventory, ResourceRef, ResourceUpdate, Section, SectionFailure,
    Task,
};
use chrono::Utc;
use std::collections::{BTreeMap, BTreeSet};

#[async_trait::async_trait]
impl InventorySource for EnvClients {
    async fn fetch_inventory(&self) -> Result<EnvInventory, String> {
        with_purpose(Purpose::Inventory, self.read_inventory()).await
    }

    async fn fetch_details(
        &self,
        inventory: &EnvInventory,
        previous: Option<&EnvDetails>,
    ) -> Result<EnvDetails, String> {
        with_purpose(Purpose::Details, self.read_details(inventory, previous)).await
    }

    async fn fetch_resource(&self, resource: &ResourceRef) -> Result<ResourceUpdate, String> {
        with_purpose(Purpose::Resource, self.read_resource(resource)).await
    }
}

impl EnvClients {
    /// One refresh, read in sections (ECS, its task definitions, RDS, CloudWatch alarms): a
    /// section that fails is recorded with why and the others are kept; only when every
    /// section fails does the refresh fail.
    async fn read_inventory(&self) -> Result<EnvInventory, String> {
        let now = Utc::now();
        let ecs = async {
            let clusters = self.clusters().await?;
            let mut services = self.services(&clusters).await?;
            let unread = self.attach_task_definitions(&mut services).await?;
            // The autoscaling range only bounds the scale action: an account that does not grant
            // DescribeScalableTargets still gets its inventory, with the ranges unknown.
            let (ranges, policies) =
                tokio::join!(self.autoscaling_ranges(), self.scaling_policies());
            match ranges {
                Ok(ranges) => {
                    for s in &mut services {
                        s.autoscaling = ranges.get(&(s.cluster.clone(), s.name.clone())).copied();
                    }
                }
                Err(e) => {
                    tracing::warn!(env = %self.env_id(), error = %e, "autoscaling ranges unknown")
                }
            }
            match policies {
                Ok(mut policies) => {
                    for s in &mut services {
                        s.scaling_policies = policies
                            .remove(&(s.cluster.clone(), s.name.clone()))
                            .unwrap_or_default();
                    }
                }
                Err(e) => {
                    tracing::warn!(env = %self.env_id(), error = %e, "scaling policies unknown")
                }
            }
            Ok::<_, String>((clusters, services, unread))
        };
        let rds = async {
            let (databases, db_snapshots, db_events) =
                tokio::join!(self.databases(), self.db_snapshots(), self.db_events(now));
            Ok::<_, String>((databases?, db_snapshots?, db_events?))
        };
        let (ecs, rds, alarms) = tokio::join!(ecs, rds, self.alarms());
        let mut inventory = EnvInventory::default();
        let mut failed = Vec::new();
        match ecs {
            Ok((clusters, services, unread)) => {
                inventory.clusters = clusters;
                inventory.services = services;
                if let Some(error) = unread {
                    failed.push((Section::TaskDefinitions, error));
                }
            }
            Err(e) => failed.push((Section::Ecs, e)),
        }
        match rds {
            Ok((databases, db_snapshots, db_events)) => {
                inventory.databases = databases;
                inventory.db_snapshots = db_snapshots;
                inventory.db_events = db_events;
            }
            Err(e) => failed.push((Section::Rds, e)),
        }
        match alarms {
            Ok(alarms) => inventory.alarms = alarms,
            Err(e) => failed.push((Section::Alarms, e)),
        }
        let whole = [Section::Ecs, Section::Rds, Section::Alarms];
        if whole.iter().all(|w| failed.iter().any(|(s, _)| s == w)) {
            return Err(failed
                .into_iter()
                .map(|(_, e)| e)
                .collect::<Vec<_>>()
                .join("; "));
        }
        for (section, error) in &failed {
            tracing::warn!(env = %self.env_id(), section = section.label(), error = %error, "a section of the inventory could not be read; the rest is fresh");
        }
        inventory.failed = failed
            .into_iter()
            .map(|(section, error)| SectionFailure {
                section,
                error,
                since: now,
                shown_from: None,
            })
            .collect();
        Ok(inventory)
    }

    async fn read_details(
        &self,
        inventory: &EnvInventory,
        previous: Option<&EnvDetails>,
    ) -> Result<EnvDetails, String> {
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
        // The load balancers', queues', functions' and rules' metrics need their target groups'
        // load balancers and the queues', functions' and rules' names: read first.
        let lb_then_metrics = async {
            // Auto Scaling groups first: their target groups' health is read with the services'.
            let asgs = self.auto_scaling_groups(previous.map(|p| &p.asgs)).await;
            let asg_target_groups: BTreeSet<String> = asgs
                .groups
                .iter()
                .flat_map(|g| g.target_groups.iter().cloned())
                .collect();
            let (lb, queues, functions, jobs) = tokio::join!(
                self.load_balancing(inventory, &asg_target_groups),
                self.queues(previous.map(|p| &p.queues), now),
                self.functions(previous.map(|p| &p.functions), now),
                self.scheduled_jobs(previous.map(|p| &p.jobs), now)
            );
            let (metrics, (job_tds, job_td_error)) = tokio::join!(
                self.metrics(inventory, &lb, &queues, &functions, &jobs, previous, now),
                self.job_task_definitions(&jobs, previous.map(|p| &p.job_task_definitions))
            );
            let mut jobs = jobs;
            if jobs.error.is_none() {
                jobs.error = job_td_error;
            }
            (lb, queues, functions, (jobs, job_tds), asgs, metrics)
        };
        let ((lb, queues, functions, (jobs, job_tds), asgs, metrics), tasks, revisions) = tokio::join!(
            lb_then_metrics,
            self.tasks(&inventory.clusters),
            self.revisions(&current, false)
        );
        let mut details = metrics?;
        details.lb = lb;
        details.queues = queues;
        details.functions = functions;
        details.jobs = jobs;
        details.job_task_definitions = job_tds;
        details.asgs = asgs;
        app::domain::apps::attribute_jobs(inventory, &mut details);
        details.revisions = revisions?;
        let tasks = tasks?;
        let keyed = |tasks: BTreeMap<(String, String), Vec<Task>>| -> BTreeMap<String, Vec<Task>> {
            tasks
                .into_iter()
                .map(|((cluster, service), tasks)| (service_key(&cluster, &service), tasks))
                .collect()
        };
        details.tasks = keyed(tasks.running);
        details.stopped_tasks = keyed(tasks.stopped);
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
            ResourceRef::Queue { name, move_tasks } => {
                let now = Utc::now();
                let queue = self.queue_now(name, now).await?;
                let tasks = match (&queue, move_tasks) {
                    (Some(q), true) => Some(self.move_tasks(&q.arn, None, now).await),
                    _ => None,
                };
                ResourceUpdate::Queue {
                    name: name.clone(),
                    queue,
                    move_tasks: tasks,
                }
            }
            ResourceRef::Asg { name } => ResourceUpdate::Asg {
                name: name.clone(),
                group: self.auto_scaling_group_now(name).await?,
            },
            ResourceRef::Job { key } => {
                let (job, runs) = self.job_now(key).await?;
                ResourceUpdate::Job {
                    key: key.clone(),
                    job,
                    runs,
                }
            }
            ResourceRef::Function { name } => {
                let (function, mappings) = self.function_now(name, Utc::now()).await?;
                ResourceUpdate::Function {
                    name: name.clone(),
                    function,
                    mappings,
                }
            }
        })
    }
}
