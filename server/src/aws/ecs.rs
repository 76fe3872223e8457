//! ECS reads: clusters, services (DescribeServices in batches of ten), task definitions (cached
//! by ARN), and tasks per cluster, running and recently stopped.

use super::clients::EnvClients;
use super::convert::{time, Context};
use app::domain::apps::app_from_tags;
use app::domain::inventory::{
    CircuitBreaker, ContainerDefinition, ContainerExit, Deployment, HealthCheck, LogConfig,
    Service, ServiceEvent, Task, TaskDefinition,
};
use app::domain::load_balancing::LbAttachment;
use aws_sdk_ecs::types::ServiceField;
use futures::{stream, StreamExt, TryStreamExt};
use std::collections::{BTreeMap, BTreeSet};

/// DescribeServices accepts at most ten services per call.
pub const DESCRIBE_SERVICES_BATCH: usize = 10;
/// DescribeTasks accepts at most one hundred tasks per call.
const DESCRIBE_TASKS_BATCH: usize = 100;

/// `arn:aws:ecs:…:cluster/prod-main` → `prod-main`.
fn name_from_arn(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Whether a service ARN belongs to `cluster`. Long-format ARNs name their cluster
/// (`service/<cluster>/<name>`); short ones do not and are trusted.
fn service_arn_in_cluster(arn: &str, cluster: &str) -> bool {
    let Some((_, path)) = arn.split_once(":service/") else {
        return true;
    };
    match path.split_once('/') {
        Some((arn_cluster, _)) => arn_cluster == cluster,
        None => true,
    }
}

impl EnvClients {
    /// The configured clusters (each checked to exist and be active, so a wrong name is an
    /// error on the page rather than an empty environment), or every cluster of the account and
    /// region.
    pub(crate) async fn clusters(&self) -> Result<Vec<String>, String> {
        if !self.env.clusters.is_empty() {
            let out = self
                .ecs
                .describe_clusters()
                .set_clusters(Some(self.env.clusters.clone()))
                .send()
                .await
                .op("ECS DescribeClusters")?;
            let active: BTreeSet<&str> = out
                .clusters()
                .iter()
                .filter(|c| c.status() == Some("ACTIVE"))
                .filter_map(|c| c.cluster_name())
                .collect();
            let missing: Vec<&str> = self
                .env
                .clusters
                .iter()
                .map(String::as_str)
                .filter(|c| !active.contains(c))
                .collect();
            if !missing.is_empty() {
                return Err(format!(
                    "ECS cluster{} {} not found (or not active) in {}: check this environment's clusters",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.join(", "),
                    self.env.region
                ));
            }
            return Ok(self.env.clusters.clone());
        }
        let arns: Vec<String> = self
            .ecs
            .list_clusters()
            .max_results(100)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .op("ECS ListClusters")?;
        let mut names: Vec<String> = arns.iter().map(|a| name_from_arn(a).to_string()).collect();
        names.sort();
        Ok(names)
    }

    async fn service_arns(&self, cluster: &str) -> Result<Vec<String>, String> {
        let arns: Vec<String> = self
            .ecs
            .list_services()
            .cluster(cluster)
            .max_results(100)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .op("ECS ListServices")?;
        Ok(arns
            .into_iter()
            .filter(|a| service_arn_in_cluster(a, cluster))
            .collect())
    }

    /// Every service of the given clusters, described in batches of ten.
    pub(crate) async fn services(&self, clusters: &[String]) -> Result<Vec<Service>, String> {
        let listed: Vec<(String, Vec<String>)> = stream::iter(clusters.iter().cloned())
            .map(|cluster| async move {
                let arns = self.service_arns(&cluster).await?;
                Ok::<_, String>((cluster, arns))
            })
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        let batches: Vec<(String, Vec<String>)> = listed
            .into_iter()
            .flat_map(|(cluster, arns)| {
                arns.chunks(DESCRIBE_SERVICES_BATCH)
                    .map(|chunk| (cluster.clone(), chunk.to_vec()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let described: Vec<Vec<Service>> = stream::iter(batches)
            .map(|(cluster, batch)| async move {
                let out = self
                    .ecs
                    .describe_services()
                    .cluster(&cluster)
                    .set_services(Some(batch))
                    .include(ServiceField::Tags)
                    .send()
                    .await
                    .op("ECS DescribeServices")?;
                for failure in out.failures() {
                    tracing::warn!(env = %self.env.id, cluster = %cluster, arn = ?failure.arn(), reason = ?failure.reason(), "DescribeServices failure");
                }
                Ok::<_, String>(
                    out.services()
                        .iter()
                        .map(|s| self.map_service(&cluster, s))
                        .collect(),
                )
            })
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        Ok(described.into_iter().flatten().collect())
    }

    /// One service as it is now, with its task definition and its family's latest revisions,
    /// after an action touched it; `None` when it no longer exists.
    pub(crate) async fn service(
        &self,
        cluster: &str,
        name: &str,
    ) -> Result<(Option<Service>, Option<(String, Vec<TaskDefinition>)>), String> {
        let out = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .services(name)
            .include(ServiceField::Tags)
            .send()
            .await
            .op("ECS DescribeServices")?;
        let Some(found) = out
            .services()
            .iter()
            .find(|s| s.service_name() == Some(name) && s.status() != Some("INACTIVE"))
        else {
            return Ok((None, None));
        };
        let mut services = vec![self.map_service(cluster, found)];
        if let Some(error) = self.attach_task_definitions(&mut services).await? {
            return Err(error);
        }
        let mut service = services.remove(0);
        // Its autoscaling range, which a scale may have just changed; unknown when the call is
        // not allowed (the previous reading is kept then).
        match self.autoscaling_range_of(cluster, name).await {
            Ok(range) => service.autoscaling = range,
            Err(e) => tracing::debug!(error = %e, "autoscaling range of one service unknown"),
        }
        let revisions = match &service.task_definition {
            Some(td) => {
                let family = td.family.clone();
                let current = BTreeMap::from([(family.clone(), BTreeSet::from([td.arn.clone()]))]);
                let mut listed = self.revisions(&current, true).await?;
                listed.remove(&family).map(|r| (family, r))
            }
            None => None,
        };
        Ok((Some(service), revisions))
    }

    fn map_service(&self, cluster: &str, s: &aws_sdk_ecs::types::Service) -> Service {
        let tags: BTreeMap<String, String> = s
            .tags()
            .iter()
            .filter_map(|t| {
                Some((
                    t.key()?.to_string(),
                    t.value().unwrap_or_default().to_string(),
                ))
            })
            .collect();
        Service {
            cluster: cluster.to_string(),
            name: s.service_name().unwrap_or_default().to_string(),
            arn: s.service_arn().unwrap_or_default().to_string(),
            status: s.status().unwrap_or_default().to_string(),
            desired: s.desired_count(),
            running: s.running_count(),
            pending: s.pending_count(),
            launch_type: s.launch_type().map(|l| l.as_str().to_string()),
            task_definition_arn: s.task_definition().unwrap_or_default().to_string(),
            task_definition: None,
            deployments: s
                .deployments()
                .iter()
                .map(|d| Deployment {
                    id: d.id().unwrap_or_default().to_string(),
                    status: d.status().unwrap_or_default().to_string(),
                    task_definition_arn: d.task_definition().unwrap_or_default().to_string(),
                    desired: d.desired_count(),
                    running: d.running_count(),
                    pending: d.pending_count(),
                    failed_tasks: d.failed_tasks(),
                    rollout_state: d.rollout_state().map(|r| r.as_str().to_string()),
                    rollout_reason: d.rollout_state_reason().map(str::to_string),
                    created_at: time(d.created_at()),
                    updated_at: time(d.updated_at()),
                })
                .collect(),
            events: s
                .events()
                .iter()
                .take(50)
                .map(|e| ServiceEvent {
                    id: e.id().unwrap_or_default().to_string(),
                    at: time(e.created_at()),
                    message: e.message().unwrap_or_default().to_string(),
                })
                .collect(),
            tasks: Vec::new(),
            app: app_from_tags(&tags, &self.env.app_tag),
            tags,
            created_at: time(s.created_at()),
            autoscaling: None,
            scaling_policies: vec![],
            circuit_breaker: s
                .deployment_configuration()
                .and_then(|c| c.deployment_circuit_breaker())
                .map(|b| CircuitBreaker {
                    enable: b.enable(),
                    rollback: b.rollback(),
                }),
            load_balancers: s
                .load_balancers()
                .iter()
                .map(|lb| LbAttachment {
                    target_group_arn: lb.target_group_arn().unwrap_or_default().to_string(),
                    load_balancer_name: lb.load_balancer_name().map(str::to_string),
                    container_name: lb.container_name().map(str::to_string),
                    container_port: lb.container_port(),
                })
                .collect(),
        }
    }

    /// The named services of one cluster as they are now, described in batches of ten (the
    /// rollout follower's read); services that no longer exist or are INACTIVE are left out.
    pub(crate) async fn services_named(
        &self,
        cluster: &str,
        names: &[String],
    ) -> Result<Vec<Service>, String> {
        let batches: Vec<Vec<String>> = names
            .chunks(DESCRIBE_SERVICES_BATCH)
            .map(<[String]>::to_vec)
            .collect();
        let described: Vec<Vec<Service>> = stream::iter(batches)
            .map(|batch| async move {
                let out = self
                    .ecs
                    .describe_services()
                    .cluster(cluster)
                    .set_services(Some(batch))
                    .send()
                    .await
                    .op("ECS DescribeServices")?;
                Ok::<_, String>(
                    out.services()
                        .iter()
                        .filter(|s| s.status() != Some("INACTIVE"))
                        .map(|s| self.map_service(cluster, s))
                        .collect(),
                )
            })
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        Ok(described.into_iter().flatten().collect())
    }

    /// Fills in each service's task definition, reading only ARNs not seen before. Each
    /// description is kept as it arrives: one that fails leaves its services without a task
    /// definition this time (answered as the error, to be shown) and the others described.
    pub(crate) async fn attach_task_definitions(
        &self,
        services: &mut [Service],
    ) -> Result<Option<String>, String> {
        let wanted: BTreeSet<String> = services
            .iter()
            .map(|s| s.task_definition_arn.clone())
            .filter(|a| !a.is_empty())
            .collect();
        let missing: Vec<String> = {
            let cache = self
                .task_definitions
                .lock()
                .map_err(|_| "task definition cache poisoned".to_string())?;
            wanted
                .into_iter()
                .filter(|a| !cache.contains_key(a))
                .collect()
        };
        let fetched: Vec<(String, Result<Option<TaskDefinition>, String>)> = stream::iter(missing)
            .map(|arn| async move {
                let read = self
                    .ecs
                    .describe_task_definition()
                    .task_definition(&arn)
                    .send()
                    .await
                    .op("ECS DescribeTaskDefinition")
                    .map(|out| out.task_definition().map(map_task_definition));
                (arn, read)
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let mut errors: Vec<String> = Vec::new();
        let cache = {
            let mut cache = self
                .task_definitions
                .lock()
                .map_err(|_| "task definition cache poisoned".to_string())?;
            for (arn, read) in fetched {
                match read {
                    Ok(Some(td)) => {
                        cache.insert(arn, td);
                    }
                    Ok(None) => {}
                    Err(e) => errors.push(e),
                }
            }
            cache.clone()
        };
        for s in services.iter_mut() {
            s.task_definition = cache.get(&s.task_definition_arn).cloned();
        }
        Ok(match errors.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            [first, ..] => Some(format!(
                "{} task definitions could not be read; the first: {first}",
                errors.len()
            )),
        })
    }

    /// The latest revisions (up to ten, newest first) of each family, for rollbacks.
    /// `current` maps each family to the revisions its services run now. A family listed before
    /// is listed again only when `force` or when one of those is missing from its last listing
    /// (a revision registered and deployed since), so a steady fleet costs no listing calls per
    /// cycle. Revisions already described come from the cache.
    pub(crate) async fn revisions(
        &self,
        current: &BTreeMap<String, BTreeSet<String>>,
        force: bool,
    ) -> Result<BTreeMap<String, Vec<TaskDefinition>>, String> {
        let stale: Vec<String> = {
            let listed = self
                .listed_revisions
                .lock()
                .map_err(|_| "revision cache poisoned".to_string())?;
            current
                .iter()
                .filter(|(family, running)| {
                    force
                        || listed
                            .get(*family)
                            .is_none_or(|arns| running.iter().any(|a| !arns.contains(a)))
                })
                .map(|(family, _)| family.clone())
                .collect()
        };
        let fresh: Vec<(String, Vec<String>)> = stream::iter(stale)
            .map(|family| async move {
                let out = self
                    .ecs
                    .list_task_definitions()
                    .family_prefix(&family)
                    .sort(aws_sdk_ecs::types::SortOrder::Desc)
                    .max_results(10)
                    .send()
                    .await
                    .op("ECS ListTaskDefinitions")?;
                // A prefix also matches longer family names: keep this family's revisions only,
                // newest first whatever order the API used.
                let mut arns: Vec<String> = out
                    .task_definition_arns()
                    .iter()
                    .filter(|a| crate::aws::ecs::family_of(a) == family)
                    .cloned()
                    .collect();
                arns.sort_by_key(|a| std::cmp::Reverse(revision_of(a)));
                arns.truncate(10);
                Ok::<_, String>((family, arns))
            })
            .buffered(self.concurrency)
            .try_collect()
            .await?;
        let listed: Vec<(String, Vec<String>)> = {
            let mut cache = self
                .listed_revisions
                .lock()
                .map_err(|_| "revision cache poisoned".to_string())?;
            cache.extend(fresh);
            current
                .keys()
                .filter_map(|family| cache.get(family).map(|arns| (family.clone(), arns.clone())))
                .collect()
        };
        let mut wanted: Vec<Service> = Vec::new();
        for (_, arns) in &listed {
            for arn in arns {
                wanted.push(placeholder(arn));
            }
        }
        // A revision that could not be described is left out this cycle; the rest are kept.
        if let Some(error) = self.attach_task_definitions(&mut wanted).await? {
            tracing::warn!(env = %self.env_id(), error = %error, "some revisions could not be described");
        }
        let by_arn: BTreeMap<String, TaskDefinition> = wanted
            .into_iter()
            .filter_map(|s| s.task_definition.map(|td| (s.task_definition_arn, td)))
            .collect();
        Ok(listed
            .into_iter()
            .map(|(family, arns)| {
                let revisions = arns.iter().filter_map(|a| by_arn.get(a).cloned()).collect();
                (family, revisions)
            })
            .collect())
    }

    /// Tasks of every cluster, keyed by the service that started them (`service:<name>` group):
    /// the running ones, and the ones ECS stopped recently (it keeps them for about an hour),
    /// newest stop first and at most [`STOPPED_KEPT`] per service.
    pub(crate) async fn tasks(&self, clusters: &[String]) -> Result<ServiceTasks, String> {
        use aws_sdk_ecs::types::DesiredStatus;
        let per_cluster: Vec<(Vec<ClusterTask>, Vec<ClusterTask>)> =
            stream::iter(clusters.iter().cloned())
                .map(|cluster| async move {
                    let running = self.tasks_in(&cluster, DesiredStatus::Running).await?;
                    let stopped = self.tasks_in(&cluster, DesiredStatus::Stopped).await?;
                    Ok::<_, String>((running, stopped))
                })
                .buffered(self.concurrency)
                .try_collect()
                .await?;
        let mut running: BTreeMap<(String, String), Vec<Task>> = BTreeMap::new();
        let mut stopped: BTreeMap<(String, String), Vec<Task>> = BTreeMap::new();
        for (up, down) in per_cluster {
            for (cluster, service, task) in up {
                running.entry((cluster, service)).or_default().push(task);
            }
            for (cluster, service, task) in down {
                stopped.entry((cluster, service)).or_default().push(task);
            }
        }
        for tasks in stopped.values_mut() {
            tasks.sort_by_key(|t| std::cmp::Reverse(t.stopped_at));
            tasks.truncate(STOPPED_KEPT);
        }
        Ok(ServiceTasks { running, stopped })
    }

    /// The private addresses of `service`'s running tasks of `revision` (ListTasks by service,
    /// DescribeTasks): the ids of their targets in an `ip` target group. Empty when one of them
    /// has no address of its own (a task on an EC2 instance in `bridge` or `host` mode).
    pub(crate) async fn task_addresses(
        &self,
        cluster: &str,
        service: &str,
        revision: &str,
    ) -> Result<Vec<String>, String> {
        use aws_sdk_ecs::types::DesiredStatus;
        let tasks = self
            .described_tasks(cluster, DesiredStatus::Running, Some(service))
            .await?;
        let mut addresses = Vec::new();
        for (of, task) in tasks {
            if of != service || task.task_definition_arn != revision {
                continue;
            }
            match task.private_ip {
                Some(ip) => addresses.push(ip),
                None => return Ok(Vec::new()),
            }
        }
        Ok(addresses)
    }

    /// The tasks of one cluster with this desired status that a service started.
    async fn tasks_in(
        &self,
        cluster: &str,
        status: aws_sdk_ecs::types::DesiredStatus,
    ) -> Result<Vec<ClusterTask>, String> {
        Ok(self
            .described_tasks(cluster, status, None)
            .await?
            .into_iter()
            .map(|(service, task)| (cluster.to_string(), service, task))
            .collect())
    }

    /// ListTasks (of one service, where named) and DescribeTasks by a hundred: each task a
    /// service started (its `service:<name>` group), with that service's name.
    async fn described_tasks(
        &self,
        cluster: &str,
        status: aws_sdk_ecs::types::DesiredStatus,
        service: Option<&str>,
    ) -> Result<Vec<(String, Task)>, String> {
        let arns: Vec<String> = self
            .ecs
            .list_tasks()
            .cluster(cluster)
            .set_service_name(service.map(str::to_string))
            .desired_status(status)
            .max_results(100)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .op("ECS ListTasks")?;
        let mut out = Vec::new();
        for batch in arns.chunks(DESCRIBE_TASKS_BATCH) {
            let described = self
                .ecs
                .describe_tasks()
                .cluster(cluster)
                .set_tasks(Some(batch.to_vec()))
                .send()
                .await
                .op("ECS DescribeTasks")?;
            for t in described.tasks() {
                let Some(of) = t.group().and_then(|g| g.strip_prefix("service:")) else {
                    continue;
                };
                out.push((of.to_string(), map_task(t)));
            }
        }
        Ok(out)
    }
}

/// A task with its cluster and the service that started it.
type ClusterTask = (String, String, Task);

/// The tasks of an environment's services by `(cluster, service)`.
pub(crate) struct ServiceTasks {
    pub running: BTreeMap<(String, String), Vec<Task>>,
    /// Stopped recently, newest first.
    pub stopped: BTreeMap<(String, String), Vec<Task>>,
}

/// How many stopped tasks are kept per service.
pub const STOPPED_KEPT: usize = 20;

/// `…:task-definition/web:7` → `web`.
pub(crate) fn family_of(arn: &str) -> &str {
    let label = arn.rsplit('/').next().unwrap_or(arn);
    label.rsplit_once(':').map(|(f, _)| f).unwrap_or(label)
}

/// `…:task-definition/web:7` → 7.
fn revision_of(arn: &str) -> u32 {
    arn.rsplit(':')
        .next()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// A service shell carrying only a task-definition ARN, to reuse the cached description path.
fn placeholder(arn: &str) -> Service {
    Service {
        cluster: String::new(),
        name: String::new(),
        arn: String::new(),
        status: String::new(),
        desired: 0,
        running: 0,
        pending: 0,
        launch_type: None,
        task_definition_arn: arn.to_string(),
        task_definition: None,
        deployments: Vec::new(),
        events: Vec::new(),
        tasks: Vec::new(),
        tags: BTreeMap::new(),
        app: None,
        created_at: None,
        autoscaling: None,
        scaling_policies: vec![],
        circuit_breaker: None,
        load_balancers: vec![],
    }
}

pub(crate) fn map_task_definition(td: &aws_sdk_ecs::types::TaskDefinition) -> TaskDefinition {
    TaskDefinition {
        arn: td.task_definition_arn().unwrap_or_default().to_string(),
        family: td.family().unwrap_or_default().to_string(),
        revision: td.revision(),
        cpu: td.cpu().map(str::to_string),
        memory: td.memory().map(str::to_string),
        containers: td
            .container_definitions()
            .iter()
            .map(map_container)
            .collect(),
        registered_at: time(td.registered_at()),
    }
}

fn map_container(c: &aws_sdk_ecs::types::ContainerDefinition) -> ContainerDefinition {
    let mut environment: Vec<(String, String)> = c
        .environment()
        .iter()
        .filter_map(|kv| {
            Some((
                kv.name()?.to_string(),
                kv.value().unwrap_or_default().to_string(),
            ))
        })
        .collect();
    environment.sort();
    let mut secrets: Vec<(String, String)> = c
        .secrets()
        .iter()
        .map(|s| (s.name().to_string(), s.value_from().to_string()))
        .collect();
    secrets.sort();
    ContainerDefinition {
        name: c.name().unwrap_or_default().to_string(),
        image: c.image().unwrap_or_default().to_string(),
        essential: c.essential().unwrap_or(true),
        ports: c
            .port_mappings()
            .iter()
            .filter_map(|p| p.container_port())
            .collect(),
        cpu: Some(c.cpu()).filter(|cpu| *cpu > 0),
        memory: c.memory(),
        environment,
        secrets,
        command: c.command().to_vec(),
        entry_point: c.entry_point().to_vec(),
        health_check: c.health_check().map(|h| HealthCheck {
            command: h.command().to_vec(),
            interval_secs: h.interval(),
            timeout_secs: h.timeout(),
            retries: h.retries(),
            start_period_secs: h.start_period(),
        }),
        log: c.log_configuration().map(|l| {
            let mut options: Vec<(String, String)> = l
                .options()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default();
            options.sort();
            LogConfig {
                driver: l.log_driver().as_str().to_string(),
                options,
            }
        }),
    }
}

fn map_task(t: &aws_sdk_ecs::types::Task) -> Task {
    Task {
        arn: t.task_arn().unwrap_or_default().to_string(),
        last_status: t.last_status().unwrap_or_default().to_string(),
        desired_status: t.desired_status().unwrap_or_default().to_string(),
        health: t.health_status().map(|h| h.as_str().to_string()),
        task_definition_arn: t.task_definition_arn().unwrap_or_default().to_string(),
        availability_zone: t.availability_zone().map(str::to_string),
        cpu: t.cpu().map(str::to_string),
        memory: t.memory().map(str::to_string),
        started_at: time(t.started_at()),
        stopped_reason: t.stopped_reason().map(str::to_string),
        stop_code: t.stop_code().map(|c| c.as_str().to_string()),
        stopped_at: time(t.stopped_at()),
        exits: if t.desired_status() == Some("STOPPED") {
            t.containers()
                .iter()
                .map(|c| ContainerExit {
                    name: c.name().unwrap_or_default().to_string(),
                    exit_code: c.exit_code(),
                    reason: c.reason().map(str::to_string),
                })
                .collect()
        } else {
            Vec::new()
        },
        image_digests: t
            .containers()
            .iter()
            .filter_map(|c| Some((c.name()?.to_string(), c.image_digest()?.to_string())))
            .collect(),
        private_ip: t
            .attachments()
            .iter()
            .filter(|a| a.r#type() == Some("ElasticNetworkInterface"))
            .flat_map(|a| a.details())
            .find(|d| d.name() == Some("privateIPv4Address"))
            .and_then(|d| d.value())
            .map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_and_families_come_from_arns() {
        let arn = "arn:aws:ecs:eu-west-1:1:task-definition/overview-web:12";
        assert_eq!(family_of(arn), "overview-web");
        assert_eq!(revision_of(arn), 12);
        assert_eq!(
            family_of("arn:aws:ecs:eu-west-1:1:task-definition/overview-web-admin:1"),
            "overview-web-admin"
        );
    }

    #[test]
    fn service_arns_are_kept_only_in_their_cluster() {
        let cases = [
            ("arn:aws:ecs:eu-west-1:1:service/prod/api", "prod", true),
            ("arn:aws:ecs:eu-west-1:1:service/preprod/api", "prod", false),
            ("arn:aws:ecs:eu-west-1:1:service/api", "prod", true),
        ];
        for (arn, cluster, expected) in cases {
            assert_eq!(service_arn_in_cluster(arn, cluster), expected, "{arn}");
        }
    }
}
