//! The inventory of one environment as the console knows it: ECS services, RDS databases,
//! CloudWatch alarms and metric series, mapped from AWS into plain types.

pub use super::environment::EnvDescriptor;

use super::functions::Functions;
use super::load_balancing::{LbAttachment, LbHealth};
use super::queues::Queues;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The tag key that groups services and databases into apps unless config says otherwise.
pub const DEFAULT_APP_TAG: &str = "app";

/// Everything fetched from one environment in one refresh.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnvInventory {
    pub fetched_at: Option<DateTime<Utc>>,
    pub clusters: Vec<String>,
    pub services: Vec<Service>,
    pub databases: Vec<Database>,
    pub db_snapshots: Vec<DbSnapshot>,
    pub db_events: Vec<DbEvent>,
    pub alarms: Vec<Alarm>,
    /// Parts that could not be read this time (throttled past the retries, denied by an SCP…):
    /// each shows what was read before, with why.
    #[serde(default)]
    pub failed: Vec<SectionFailure>,
}

/// A part of an environment read on its own: one failing leaves the others fresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Section {
    /// Clusters and services (ECS).
    Ecs,
    /// Task-definition revisions of the services (ECS DescribeTaskDefinition), read one by one.
    TaskDefinitions,
    /// Databases, snapshots and events (RDS).
    Rds,
    /// Alarms (CloudWatch).
    Alarms,
}

impl Section {
    pub fn label(self) -> &'static str {
        match self {
            Section::Ecs => "ECS services",
            Section::TaskDefinitions => "ECS task definitions",
            Section::Rds => "RDS databases",
            Section::Alarms => "CloudWatch alarms",
        }
    }
}

/// A section that failed, why, and since when it has been failing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionFailure {
    pub section: Section,
    pub error: String,
    pub since: DateTime<Utc>,
    /// When the data shown for it was read; `None` when it never was.
    pub shown_from: Option<DateTime<Utc>>,
}

impl EnvInventory {
    /// Fills each failed section with what `previous` held for it (stale, as last read), and
    /// keeps when each failure started. Without a previous snapshot, a failed section is empty.
    pub fn keep_failed_from(&mut self, previous: Option<&EnvInventory>) {
        let Some(previous) = previous else {
            return;
        };
        for failure in &mut self.failed {
            if let Some(before) = previous
                .failed
                .iter()
                .find(|f| f.section == failure.section)
            {
                failure.since = before.since;
                failure.shown_from = before.shown_from;
            } else {
                failure.shown_from = previous.fetched_at;
            }
            match failure.section {
                Section::Ecs => {
                    self.clusters = previous.clusters.clone();
                    self.services = previous.services.clone();
                }
                Section::TaskDefinitions => {
                    for service in self
                        .services
                        .iter_mut()
                        .filter(|s| s.task_definition.is_none())
                    {
                        service.task_definition = previous
                            .services
                            .iter()
                            .find(|p| p.task_definition_arn == service.task_definition_arn)
                            .and_then(|p| p.task_definition.clone());
                    }
                }
                Section::Rds => {
                    self.databases = previous.databases.clone();
                    self.db_snapshots = previous.db_snapshots.clone();
                    self.db_events = previous.db_events.clone();
                }
                Section::Alarms => self.alarms = previous.alarms.clone(),
            }
        }
    }

    pub fn failure(&self, section: Section) -> Option<&SectionFailure> {
        self.failed.iter().find(|f| f.section == section)
    }

    pub fn service(&self, cluster: &str, name: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.cluster == cluster && s.name == name)
    }

    pub fn database(&self, id: &str) -> Option<&Database> {
        self.databases.iter().find(|d| d.id == id)
    }
}

/// An ECS service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub cluster: String,
    pub name: String,
    pub arn: String,
    pub status: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub launch_type: Option<String>,
    pub task_definition_arn: String,
    pub task_definition: Option<TaskDefinition>,
    pub deployments: Vec<Deployment>,
    pub events: Vec<ServiceEvent>,
    pub tasks: Vec<Task>,
    pub tags: BTreeMap<String, String>,
    pub app: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    /// The Application Auto Scaling range of the desired count, `(min, max)`, when one is
    /// registered.
    #[serde(default)]
    pub autoscaling: Option<(i32, i32)>,
    /// Its Application Auto Scaling policies, each in a line (`cpu-70: target tracking,
    /// ECSServiceAverageCPUUtilization at 70`).
    #[serde(default)]
    pub scaling_policies: Vec<String>,
    /// The deployment circuit breaker (`deploymentConfiguration.deploymentCircuitBreaker`), when
    /// ECS reports one.
    #[serde(default)]
    pub circuit_breaker: Option<CircuitBreaker>,
    /// The target groups (or Classic Load Balancers) ECS registers the service's tasks with.
    #[serde(default)]
    pub load_balancers: Vec<LbAttachment>,
}

/// What ECS does with a deployment whose tasks keep failing to start or stay unhealthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitBreaker {
    /// The breaker is on: such a deployment is marked FAILED.
    pub enable: bool,
    /// ECS then moves the service back to its last completed deployment.
    pub rollback: bool,
}

impl Service {
    pub fn at_desired_count(&self) -> bool {
        self.running == self.desired
    }

    /// A deployment is in progress when more than one deployment is live, or the primary one
    /// says it is still rolling out.
    pub fn deploying(&self) -> bool {
        let live = self
            .deployments
            .iter()
            .filter(|d| d.status != "INACTIVE")
            .count();
        live > 1
            || self
                .deployments
                .iter()
                .any(|d| d.status == "PRIMARY" && d.rollout_state.as_deref() == Some("IN_PROGRESS"))
    }

    /// `family:revision` of the running task definition, from the ARN when the definition
    /// itself is not known.
    pub fn revision_label(&self) -> String {
        match &self.task_definition {
            Some(td) => format!("{}:{}", td.family, td.revision),
            None => revision_label_from_arn(&self.task_definition_arn),
        }
    }
}

/// `arn:aws:ecs:…:task-definition/web:7` → `web:7`.
pub fn revision_label_from_arn(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_string()
}

/// A registered task-definition revision (immutable once registered).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinition {
    pub arn: String,
    pub family: String,
    pub revision: i32,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub containers: Vec<ContainerDefinition>,
    pub registered_at: Option<DateTime<Utc>>,
}

/// One container of a revision: what the revision diff compares.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerDefinition {
    pub name: String,
    pub image: String,
    pub essential: bool,
    pub ports: Vec<i32>,
    /// CPU units reserved for the container, when set.
    #[serde(default)]
    pub cpu: Option<i32>,
    /// Hard memory limit in MiB, when set.
    #[serde(default)]
    pub memory: Option<i32>,
    /// Plain environment variables, sorted by name.
    #[serde(default)]
    pub environment: Vec<(String, String)>,
    /// `secrets`: variable name → the ARN (or parameter name) it is read from; never a value.
    #[serde(default)]
    pub secrets: Vec<(String, String)>,
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub entry_point: Vec<String>,
    #[serde(default)]
    pub health_check: Option<HealthCheck>,
    #[serde(default)]
    pub log: Option<LogConfig>,
}

/// A container's health check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthCheck {
    pub command: Vec<String>,
    pub interval_secs: Option<i32>,
    pub timeout_secs: Option<i32>,
    pub retries: Option<i32>,
    pub start_period_secs: Option<i32>,
}

/// A container's log configuration: the driver and its options, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogConfig {
    pub driver: String,
    pub options: Vec<(String, String)>,
}

/// An image reference in parts: `registry/repo`, the tag and the digest when it names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageParts<'a> {
    pub repo: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Reads `registry/repo[:tag][@sha256:…]`.
pub fn image_parts(image: &str) -> ImageParts<'_> {
    let (name_and_tag, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last_slash = name_and_tag.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (repo, tag) = match name_and_tag[last_slash..].rfind(':') {
        Some(i) => (
            &name_and_tag[..last_slash + i],
            Some(&name_and_tag[last_slash + i + 1..]),
        ),
        None => (name_and_tag, None),
    };
    ImageParts { repo, tag, digest }
}

/// Splits `registry/repo:tag` or `repo[:tag]@sha256:…` into repository and version: the tag
/// when there is one, else the digest, else `latest`.
pub fn split_image(image: &str) -> (&str, &str) {
    let parts = image_parts(image);
    (parts.repo, parts.tag.or(parts.digest).unwrap_or("latest"))
}

/// `sha256:0123456789ab…` → `sha256:0123456789ab`: enough to tell digests apart at a glance.
pub fn short_digest(digest: &str) -> &str {
    let end = digest
        .char_indices()
        .nth("sha256:".len() + 12)
        .map(|(i, _)| i)
        .unwrap_or(digest.len());
    &digest[..end]
}

/// One of a service's deployments (PRIMARY, ACTIVE or INACTIVE).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deployment {
    pub id: String,
    pub status: String,
    pub task_definition_arn: String,
    pub desired: i32,
    pub running: i32,
    pub pending: i32,
    pub failed_tasks: i32,
    pub rollout_state: Option<String>,
    pub rollout_reason: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceEvent {
    pub id: String,
    pub at: Option<DateTime<Utc>>,
    pub message: String,
}

/// A running or recently stopped ECS task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub arn: String,
    pub last_status: String,
    pub desired_status: String,
    pub health: Option<String>,
    pub task_definition_arn: String,
    pub availability_zone: Option<String>,
    pub cpu: Option<String>,
    pub memory: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub stopped_reason: Option<String>,
    /// Why ECS stopped it, as a code (`TaskFailedToStart`, `EssentialContainerExited`,
    /// `UserInitiated`, `ServiceSchedulerInitiated`, …).
    #[serde(default)]
    pub stop_code: Option<String>,
    #[serde(default)]
    pub stopped_at: Option<DateTime<Utc>>,
    /// How each container ended, for a stopped task.
    #[serde(default)]
    pub exits: Vec<ContainerExit>,
    /// Each container's image digest as the task reports it (container name → `sha256:…`):
    /// what a tag resolved to when the task started.
    #[serde(default)]
    pub image_digests: Vec<(String, String)>,
    /// The task's private IPv4 address (its ENI, in `awsvpc` mode): its id as a target of an
    /// `ip` target group.
    #[serde(default)]
    pub private_ip: Option<String>,
}

/// How one container of a stopped task ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerExit {
    pub name: String,
    pub exit_code: Option<i32>,
    /// ECS's words, when it gives any (`CannotPullContainerError: …`, `OutOfMemoryError`).
    pub reason: Option<String>,
}

impl Task {
    /// The short id operators recognise: the last segment of the ARN.
    pub fn short_id(&self) -> &str {
        self.arn.rsplit('/').next().unwrap_or(&self.arn)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DbKind {
    Instance,
    AuroraCluster,
}

/// What a DescribeDBInstances or DescribeDBClusters entry is, told by its engine: the RDS API
/// also answers for Multi-AZ DB clusters (MySQL, PostgreSQL), Neptune and DocumentDB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DbFamily {
    Instance,
    Aurora,
    MultiAzCluster,
    Neptune,
    DocumentDb,
}

/// How a database's storage is measured in CloudWatch: free space (instances, Multi-AZ DB
/// clusters) or the bytes a shared cluster volume uses (it grows as needed, with no free space).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageMetric {
    Free(&'static str),
    Used(&'static str),
}

impl DbFamily {
    pub fn label(self) -> &'static str {
        match self {
            DbFamily::Instance => "RDS instance",
            DbFamily::Aurora => "Aurora cluster",
            DbFamily::MultiAzCluster => "Multi-AZ DB cluster",
            DbFamily::Neptune => "Neptune cluster",
            DbFamily::DocumentDb => "DocumentDB cluster",
        }
    }

    /// The CloudWatch namespace its metrics are published in.
    pub fn namespace(self) -> &'static str {
        match self {
            DbFamily::Neptune => "AWS/Neptune",
            DbFamily::DocumentDb => "AWS/DocDB",
            _ => "AWS/RDS",
        }
    }

    /// The connections metric, where the engine has one (Neptune counts requests instead).
    pub fn connections_metric(self) -> Option<&'static str> {
        match self {
            DbFamily::Neptune => None,
            _ => Some("DatabaseConnections"),
        }
    }

    pub fn storage_metric(self) -> StorageMetric {
        match self {
            DbFamily::Instance | DbFamily::MultiAzCluster => {
                StorageMetric::Free("FreeStorageSpace")
            }
            DbFamily::Aurora | DbFamily::Neptune | DbFamily::DocumentDb => {
                StorageMetric::Used("VolumeBytesUsed")
            }
        }
    }
}

/// An RDS instance or a DB cluster (Aurora, Multi-AZ, Neptune, DocumentDB).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Database {
    pub id: String,
    pub kind: DbKind,
    pub arn: String,
    pub status: String,
    pub engine: String,
    pub engine_version: String,
    pub class: Option<String>,
    pub multi_az: bool,
    pub allocated_storage_gb: Option<i32>,
    pub storage_encrypted: bool,
    pub backup_retention_days: i32,
    pub latest_restorable_time: Option<DateTime<Utc>>,
    pub endpoint: Option<String>,
    pub availability_zone: Option<String>,
    pub cluster_id: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub app: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

impl Database {
    /// Which kind of database this is, by its engine.
    pub fn family(&self) -> DbFamily {
        match self.kind {
            DbKind::Instance => DbFamily::Instance,
            DbKind::AuroraCluster => match self.engine.as_str() {
                e if e.starts_with("aurora") => DbFamily::Aurora,
                "neptune" => DbFamily::Neptune,
                "docdb" => DbFamily::DocumentDb,
                _ => DbFamily::MultiAzCluster,
            },
        }
    }

    pub fn available(&self) -> bool {
        self.status == "available"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbSnapshot {
    pub id: String,
    pub db_id: String,
    pub snapshot_type: String,
    pub status: String,
    pub created_at: Option<DateTime<Utc>>,
    pub allocated_storage_gb: Option<i32>,
    pub engine: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DbEvent {
    pub source_id: String,
    pub source_type: String,
    pub at: Option<DateTime<Utc>>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AlarmState {
    Alarm,
    InsufficientData,
    Ok,
}

impl AlarmState {
    pub fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_uppercase().as_str() {
            "ALARM" => Some(AlarmState::Alarm),
            "INSUFFICIENT_DATA" => Some(AlarmState::InsufficientData),
            "OK" => Some(AlarmState::Ok),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
            AlarmState::Ok => "OK",
        }
    }
}

/// What an alarm watches, as read from its dimensions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlarmResource {
    Service {
        cluster: String,
        service: String,
    },
    Database {
        id: String,
    },
    Queue {
        name: String,
    },
    Function {
        name: String,
    },
    /// An EventBridge rule (`RuleName`, namespace `AWS/Events`): a scheduled job's invocations.
    Rule {
        name: String,
    },
    /// An EC2 Auto Scaling group (`AutoScalingGroupName`, namespaces `AWS/EC2` and
    /// `AWS/AutoScaling`).
    AutoScalingGroup {
        name: String,
    },
    Other {
        label: String,
    },
    Unknown,
}

impl AlarmResource {
    /// Reads the watched resource from CloudWatch dimensions.
    pub fn from_dimensions(dimensions: &[(String, String)]) -> Self {
        let get = |key: &str| {
            dimensions
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        if let (Some(cluster), Some(service)) = (get("ClusterName"), get("ServiceName")) {
            return AlarmResource::Service { cluster, service };
        }
        if let Some(id) = get("DBInstanceIdentifier").or_else(|| get("DBClusterIdentifier")) {
            return AlarmResource::Database { id };
        }
        if let Some(name) = get("QueueName") {
            return AlarmResource::Queue { name };
        }
        if let Some(name) = get("FunctionName") {
            return AlarmResource::Function { name };
        }
        if let Some(name) = get("RuleName") {
            return AlarmResource::Rule { name };
        }
        if let Some(name) = get("AutoScalingGroupName") {
            return AlarmResource::AutoScalingGroup { name };
        }
        match dimensions.first() {
            Some((k, v)) => AlarmResource::Other {
                label: format!("{k}={v}"),
            },
            None => AlarmResource::Unknown,
        }
    }
}

/// A CloudWatch metric alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    pub arn: String,
    pub state: AlarmState,
    pub reason: String,
    pub updated_at: Option<DateTime<Utc>>,
    pub actions_enabled: bool,
    pub namespace: Option<String>,
    pub metric: Option<String>,
    pub dimensions: Vec<(String, String)>,
    pub description: Option<String>,
    pub threshold: Option<f64>,
    pub comparison: Option<String>,
    pub resource: AlarmResource,
    pub app: Option<String>,
    /// The ARNs the alarm notifies or triggers (alarm, OK and insufficient-data actions).
    #[serde(default)]
    pub actions: Vec<String>,
    /// A composite alarm's rule over other alarms (`ALARM("a") OR ALARM("b")`); `None` for a
    /// metric alarm.
    #[serde(default)]
    pub rule: Option<String>,
}

impl Alarm {
    /// Whether this alarm is a scaling signal rather than something to page about: one of the
    /// pair Application Auto Scaling creates for a target-tracking policy (named
    /// `TargetTracking-…`), or any alarm whose only actions are scaling policies. The low one of
    /// a pair sits in ALARM whenever load is below target; muting one switches scaling off.
    pub fn is_scaling_signal(&self) -> bool {
        let scaling_policy =
            |arn: &String| arn.contains(":autoscaling:") && arn.contains(":scalingPolicy:");
        self.name.starts_with("TargetTracking-")
            || (!self.actions.is_empty() && self.actions.iter().all(scaling_policy))
    }
}

/// A metric time series for a chart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub points: Vec<(DateTime<Utc>, f64)>,
}

impl Series {
    /// This series with `newer`'s points added (a point `newer` also has is taken from it, as
    /// the last period may have been partial before), sorted, without points before `since`.
    pub fn merged(&self, newer: Series, since: DateTime<Utc>) -> Series {
        let fresh: Vec<(DateTime<Utc>, f64)> = newer
            .points
            .into_iter()
            .filter(|(t, _)| *t >= since)
            .collect();
        let mut points: Vec<(DateTime<Utc>, f64)> = self
            .points
            .iter()
            .filter(|(t, _)| *t >= since && !fresh.iter().any(|(n, _)| n == t))
            .copied()
            .chain(fresh.iter().copied())
            .collect();
        points.sort_by_key(|(t, _)| *t);
        Series { points }
    }

    pub fn latest(&self) -> Option<f64> {
        self.points.iter().max_by_key(|(t, _)| *t).map(|(_, v)| *v)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceMetrics {
    pub cpu: Series,
    pub memory: Series,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatabaseMetrics {
    pub cpu: Series,
    pub connections: Series,
    pub free_storage_bytes: Series,
    /// Storage used by a cluster volume (Aurora, Neptune, DocumentDB), which has no free space.
    #[serde(default)]
    pub volume_used_bytes: Series,
}

/// The slower-moving detail of one environment, refreshed on its own interval after the
/// inventory: metric series for the charts and the tasks of each service.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnvDetails {
    pub fetched_at: Option<DateTime<Utc>>,
    /// Keyed by `cluster/service`.
    pub services: BTreeMap<String, ServiceMetrics>,
    pub databases: BTreeMap<String, DatabaseMetrics>,
    /// Keyed by `cluster/service`.
    pub tasks: BTreeMap<String, Vec<Task>>,
    /// The tasks ECS stopped recently (it keeps them for about an hour), newest first, keyed by
    /// `cluster/service`.
    #[serde(default)]
    pub stopped_tasks: BTreeMap<String, Vec<Task>>,
    /// The latest revisions of each task-definition family in use, newest first.
    #[serde(default)]
    pub revisions: BTreeMap<String, Vec<TaskDefinition>>,
    /// The target groups services are registered with, their load balancers and every target's
    /// health.
    #[serde(default)]
    pub lb: LbHealth,
    /// Load-balancer metrics of each target group, by its ARN.
    #[serde(default)]
    pub target_group_metrics: BTreeMap<String, TargetGroupMetrics>,
    /// SQS queues with their depth and redrive policies (no batch API: read each cycle here,
    /// not in the inventory).
    #[serde(default)]
    pub queues: Queues,
    /// Each queue's CloudWatch metrics, by queue name.
    #[serde(default)]
    pub queue_metrics: BTreeMap<String, QueueMetrics>,
    /// Lambda functions with their versions, aliases and concurrency, and the event source
    /// mappings that feed them.
    #[serde(default)]
    pub functions: Functions,
    /// Each function's CloudWatch metrics, by function name.
    #[serde(default)]
    pub function_metrics: BTreeMap<String, FunctionMetrics>,
    /// Scheduled jobs (EventBridge rules with a schedule and Scheduler schedules) with the runs
    /// seen of each.
    #[serde(default)]
    pub jobs: crate::domain::scheduled_jobs::ScheduledJobs,
    /// Each rule's EventBridge metrics, by rule name.
    #[serde(default)]
    pub rule_metrics: BTreeMap<String, RuleMetrics>,
    /// Each Scheduler schedule group's metrics, by group name (Scheduler publishes them per
    /// group, not per schedule).
    #[serde(default)]
    pub schedule_group_metrics: BTreeMap<String, ScheduleGroupMetrics>,
    /// EC2 Auto Scaling groups with their instances, activities and instance refreshes.
    #[serde(default)]
    pub asgs: crate::domain::auto_scaling_groups::AutoScalingGroups,
    /// The task definitions ECS jobs start, by the reference their targets give (an ARN with
    /// or without its revision, or `family[:revision]`): where a run's containers log.
    #[serde(default)]
    pub job_task_definitions: BTreeMap<String, TaskDefinition>,
}

/// A schedule group's metrics (namespace `AWS/Scheduler`, dimension `ScheduleGroup`), summed per
/// period: how often its schedules tried to invoke their targets, and how often a target
/// answered with an error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScheduleGroupMetrics {
    pub attempts: Series,
    pub target_errors: Series,
}

/// A rule's metrics (namespace `AWS/Events`, dimension `RuleName`), summed per period: how often
/// it fired and how often it could not start its target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleMetrics {
    pub invocations: Series,
    pub failed_invocations: Series,
}

/// A function's CloudWatch metrics (namespace `AWS/Lambda`, dimension `FunctionName`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionMetrics {
    /// `Invocations`, `Errors` and `Throttles`, summed per period: throttled invocations are not
    /// errors, so they are charted apart.
    pub invocations: Series,
    pub errors: Series,
    pub throttles: Series,
    /// `Duration` in milliseconds, the 99th percentile per period.
    pub duration_p99: Series,
    /// `ConcurrentExecutions`, the most per period.
    pub concurrent: Series,
}

/// A queue's CloudWatch metrics (namespace `AWS/SQS`, dimension `QueueName`), for its charts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueMetrics {
    /// `ApproximateNumberOfMessagesVisible`, the most per period.
    pub visible: Series,
    /// `ApproximateAgeOfOldestMessage` in seconds, the most per period.
    pub oldest_age: Series,
    /// `NumberOfMessagesSent`, `…Received` and `…Deleted`, summed per period.
    pub sent: Series,
    pub received: Series,
    pub deleted: Series,
}

/// A target group's CloudWatch metrics (namespace `AWS/ApplicationELB`), for its charts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetGroupMetrics {
    /// `HTTPCode_Target_5XX_Count`, summed per period.
    pub target_5xx: Series,
    /// `TargetResponseTime` in seconds, averaged per period.
    pub response_time: Series,
    pub healthy_hosts: Series,
    pub unhealthy_hosts: Series,
}

/// The one resource an action touched: refreshed alone right after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceRef {
    Service {
        cluster: String,
        name: String,
    },
    Database {
        id: String,
        aurora: bool,
    },
    Alarm {
        name: String,
    },
    /// A queue; `move_tasks`: its redrives are read too (after a redrive or a cancel).
    Queue {
        name: String,
        move_tasks: bool,
    },
    Function {
        name: String,
    },
    /// A scheduled job (`rule/<name>` or `schedule/<group>/<name>`) and its runs.
    Job {
        key: String,
    },
    /// An EC2 Auto Scaling group, with its activities and refreshes.
    Asg {
        name: String,
    },
}

/// What a targeted refresh read: the resource as it is now (`None`: it is gone) and what hangs
/// off it (a service's family revisions, a database's snapshots).
// One value per action's re-read, never held in bulk: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ResourceUpdate {
    Service {
        cluster: String,
        name: String,
        service: Option<Service>,
        /// The family's latest revisions, newest first.
        revisions: Option<(String, Vec<TaskDefinition>)>,
    },
    Database {
        id: String,
        database: Option<Database>,
        snapshots: Vec<DbSnapshot>,
    },
    Alarm {
        name: String,
        alarm: Option<Alarm>,
    },
    /// A queue as read now (`None`: gone) and, for a dead-letter queue, its redrives.
    Queue {
        name: String,
        queue: Option<crate::domain::queues::Queue>,
        move_tasks: Option<crate::domain::queues::MoveTasks>,
    },
    /// A function with its versions, aliases and concurrency as read now (`None`: gone), and
    /// the mappings that feed it.
    Function {
        name: String,
        function: Option<crate::domain::functions::Function>,
        mappings: Vec<crate::domain::functions::EventSourceMapping>,
    },
    /// An Auto Scaling group as read now (`None`: gone).
    Asg {
        name: String,
        group: Option<crate::domain::auto_scaling_groups::AutoScalingGroup>,
    },
    /// A scheduled job as read now (`None`: gone) and the runs read of it now.
    Job {
        key: String,
        job: Option<crate::domain::scheduled_jobs::ScheduledJob>,
        runs: Vec<crate::domain::scheduled_jobs::JobRun>,
    },
}

impl EnvInventory {
    /// Replaces (or removes) one resource in place; everything else stays as it was read.
    /// Values an action cannot change and the targeted read does not fetch (a service's tasks
    /// and autoscaling range, an alarm's app) are kept from the previous read.
    pub fn apply(&mut self, details: Option<&mut EnvDetails>, update: ResourceUpdate) {
        match update {
            ResourceUpdate::Service {
                cluster,
                name,
                service,
                revisions,
            } => {
                let at = self
                    .services
                    .iter()
                    .position(|s| s.cluster == cluster && s.name == name);
                match (at, service) {
                    (Some(i), Some(mut fresh)) => {
                        let old = &self.services[i];
                        fresh.autoscaling = fresh.autoscaling.or(old.autoscaling);
                        if fresh.scaling_policies.is_empty() {
                            fresh.scaling_policies = old.scaling_policies.clone();
                        }
                        fresh.tasks = old.tasks.clone();
                        self.services[i] = fresh;
                    }
                    (None, Some(fresh)) => self.services.push(fresh),
                    (Some(i), None) => {
                        self.services.remove(i);
                    }
                    (None, None) => {}
                }
                if let (Some(details), Some((family, list))) = (details, revisions) {
                    details.revisions.insert(family, list);
                }
            }
            ResourceUpdate::Database {
                id,
                database,
                snapshots,
            } => {
                let at = self.databases.iter().position(|d| d.id == id);
                match (at, database) {
                    (Some(i), Some(fresh)) => self.databases[i] = fresh,
                    (None, Some(fresh)) => self.databases.push(fresh),
                    (Some(i), None) => {
                        self.databases.remove(i);
                    }
                    (None, None) => {}
                }
                self.db_snapshots.retain(|s| s.db_id != id);
                self.db_snapshots.extend(snapshots);
            }
            ResourceUpdate::Alarm { name, alarm } => {
                let at = self.alarms.iter().position(|a| a.name == name);
                match (at, alarm) {
                    (Some(i), Some(mut fresh)) => {
                        fresh.app = fresh.app.or_else(|| self.alarms[i].app.clone());
                        self.alarms[i] = fresh;
                    }
                    (None, Some(fresh)) => self.alarms.push(fresh),
                    (Some(i), None) => {
                        self.alarms.remove(i);
                    }
                    (None, None) => {}
                }
            }
            ResourceUpdate::Queue {
                name,
                queue,
                move_tasks,
            } => {
                let Some(details) = details else { return };
                let queues = &mut details.queues;
                let at = queues.queues.iter().position(|q| q.name == name);
                match (at, queue) {
                    (Some(i), Some(mut fresh)) => {
                        // Tags are read on their own schedule: keep the last ones.
                        let old = &queues.queues[i];
                        if fresh.tags_read_at.is_none() {
                            fresh.tags = old.tags.clone();
                            fresh.app = old.app.clone();
                            fresh.tags_read_at = old.tags_read_at;
                        }
                        queues.queues[i] = fresh;
                    }
                    (None, Some(fresh)) => queues.queues.push(fresh),
                    (Some(i), None) => {
                        queues.queues.remove(i);
                    }
                    (None, None) => {}
                }
                if let Some(tasks) = move_tasks {
                    queues.move_tasks.insert(name, tasks);
                }
            }
            ResourceUpdate::Function {
                name,
                function,
                mappings,
            } => {
                let Some(details) = details else { return };
                let functions = &mut details.functions;
                let at = functions.functions.iter().position(|f| f.name == name);
                match (at, function) {
                    (Some(i), Some(mut fresh)) => {
                        let old = &functions.functions[i];
                        if fresh.tags_read_at.is_none() {
                            fresh.tags = old.tags.clone();
                            fresh.app = old.app.clone();
                            fresh.tags_read_at = old.tags_read_at;
                        }
                        functions.functions[i] = fresh;
                    }
                    (None, Some(fresh)) => functions.functions.push(fresh),
                    (Some(i), None) => {
                        functions.functions.remove(i);
                    }
                    (None, None) => {}
                }
                functions
                    .mappings
                    .retain(|m| m.function_name() != Some(name.as_str()));
                functions.mappings.extend(mappings);
            }
            ResourceUpdate::Asg { name, group } => {
                let Some(details) = details else { return };
                let asgs = &mut details.asgs;
                let at = asgs.groups.iter().position(|g| g.name == name);
                match (at, group) {
                    (Some(i), Some(mut fresh)) => {
                        // Refreshes the endpoint lacks stay unread.
                        if fresh.refreshes.is_none() {
                            fresh.refreshes = asgs.groups[i].refreshes.clone();
                        }
                        asgs.groups[i] = fresh;
                    }
                    (None, Some(fresh)) => asgs.groups.push(fresh),
                    (Some(i), None) => {
                        asgs.groups.remove(i);
                    }
                    (None, None) => {}
                }
            }
            ResourceUpdate::Job { key, job, runs } => {
                let Some(details) = details else { return };
                let jobs = &mut details.jobs;
                let at = jobs.jobs.iter().position(|j| j.key() == key);
                match (at, job) {
                    (Some(i), Some(mut fresh)) => {
                        fresh.app = fresh.app.or_else(|| jobs.jobs[i].app.clone());
                        jobs.jobs[i] = fresh;
                    }
                    (None, Some(fresh)) => jobs.jobs.push(fresh),
                    (Some(i), None) => {
                        jobs.jobs.remove(i);
                        jobs.runs.remove(&key);
                        return;
                    }
                    (None, None) => return,
                }
                let merged = crate::domain::scheduled_jobs::merge_runs(jobs.runs_of(&key), runs);
                jobs.runs.insert(key, merged);
            }
        }
    }
}

pub fn service_key(cluster: &str, service: &str) -> String {
    format!("{cluster}/{service}")
}

/// The console's knowledge of an environment's data: when it last succeeded, and the current
/// error if the last attempt failed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RefreshStatus {
    pub last_success: Option<DateTime<Utc>>,
    pub last_attempt: Option<DateTime<Utc>>,
    pub error: Option<RefreshError>,
    pub refreshing: bool,
    /// AWS APIs this environment's endpoint does not offer or this account may not call: the
    /// console works without them, with less.
    #[serde(default)]
    pub reduced: Vec<ReducedCapability>,
    /// Sections of the last refresh that could not be read (the rest of it is fresh).
    #[serde(default)]
    pub failed_sections: Vec<SectionFailure>,
}

/// An AWS API the console does without in one environment, why, and what is missing because of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReducedCapability {
    /// `CloudWatch DescribeAlarmHistory`.
    pub api: String,
    pub why: Unavailable,
    /// What the console does instead, in a sentence.
    pub effect: String,
    pub since: DateTime<Utc>,
}

/// Why an API is done without.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unavailable {
    /// The endpoint does not implement it (an emulator, a partition without the API).
    NotOffered,
    /// The account's policy (IAM, an SCP) denies it.
    Denied,
}

impl Unavailable {
    pub fn describe(self) -> &'static str {
        match self {
            Unavailable::NotOffered => "not offered by this endpoint",
            Unavailable::Denied => "denied to the console's role",
        }
    }

    /// What a failed call's error text says about the API: not offered (a not-implemented
    /// code, HTTP 501, or a 500 with no error in its body, which is what an emulator answers
    /// for an operation it lacks), denied, or neither (a passing failure to retry as usual).
    pub fn of_error(text: &str) -> Option<Self> {
        const NOT_OFFERED: [&str; 5] = [
            "NotImplemented",
            "not yet implemented",
            "InvalidAction",
            "UnknownOperation",
            "StatusCode(501)",
        ];
        const DENIED: [&str; 4] = [
            "AccessDenied",
            "UnauthorizedOperation",
            "not authorized to perform",
            "explicit deny",
        ];
        if DENIED.iter().any(|d| text.contains(d)) {
            Some(Unavailable::Denied)
        } else if NOT_OFFERED.iter().any(|n| text.contains(n))
            || (text.contains("StatusCode(500)") && text.contains("no root element"))
        {
            Some(Unavailable::NotOffered)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshError {
    pub message: String,
    pub since: DateTime<Utc>,
}

/// How fresh an environment's data is, for the badge on every page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Freshness {
    /// No data yet and no error: the first refresh is running.
    Loading,
    Fresh,
    /// Older than two refresh intervals.
    Stale,
    /// The last refresh failed; what is shown (if anything) is the last good data.
    Failing,
}

pub fn freshness(status: &RefreshStatus, interval_secs: u64, now: DateTime<Utc>) -> Freshness {
    if status.error.is_some() {
        return Freshness::Failing;
    }
    match status.last_success {
        None => Freshness::Loading,
        Some(at) => {
            let age = (now - at).num_seconds().max(0) as u64;
            if age > interval_secs.saturating_mul(2).max(30) {
                Freshness::Stale
            } else {
                Freshness::Fresh
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_takes_newer_points_and_drops_those_out_of_its_window() {
        use chrono::TimeZone;
        let t = |m: u32| Utc.with_ymd_and_hms(2026, 12, 7, 10, m, 0).unwrap();
        let held = Series {
            points: vec![(t(0), 1.0), (t(5), 2.0), (t(10), 3.0), (t(15), 4.5)],
        };
        let newer = Series {
            points: vec![(t(20), 6.0), (t(15), 5.0)],
        };
        let merged = held.merged(newer, t(5));
        assert_eq!(
            merged.points,
            vec![(t(5), 2.0), (t(10), 3.0), (t(15), 5.0), (t(20), 6.0)],
            "the partial 10:15 point is replaced, 10:00 is out of the window"
        );
        assert_eq!(
            Series::default().merged(Series::default(), t(0)),
            Series::default()
        );
    }

    #[test]
    fn a_failed_section_shows_what_was_read_before_and_the_others_stay_fresh() {
        use crate::domain::fixtures::{alarm, database};
        use chrono::TimeZone;
        let t = |m: u32| Utc.with_ymd_and_hms(2026, 12, 7, 10, m, 0).unwrap();
        let service = |name: &str, arn: &str, td: bool| {
            let revision = TaskDefinition {
                arn: arn.into(),
                family: name.into(),
                revision: 1,
                cpu: None,
                memory: None,
                containers: vec![],
                registered_at: None,
            };
            Service {
                task_definition_arn: arn.into(),
                task_definition: td.then(|| revision.clone()),
                ..crate::domain::fixtures::service(name, "shop", revision, t(0))
            }
        };
        let previous = EnvInventory {
            fetched_at: Some(t(0)),
            services: vec![
                service("web", "td:web:3", true),
                service("api", "td:api:1", true),
            ],
            databases: vec![database("old-db", "shop")],
            alarms: vec![alarm("old-alarm", AlarmResource::Unknown)],
            ..Default::default()
        };
        let failure = |section, since| SectionFailure {
            section,
            error: "AccessDeniedException: explicit deny in a service control policy".into(),
            since,
            shown_from: None,
        };
        let mut now = EnvInventory {
            fetched_at: Some(t(1)),
            services: vec![
                service("web", "td:web:3", false),
                service("api", "td:api:2", false),
            ],
            alarms: vec![alarm("new-alarm", AlarmResource::Unknown)],
            failed: vec![
                failure(Section::Rds, t(1)),
                failure(Section::TaskDefinitions, t(1)),
            ],
            ..Default::default()
        };
        now.keep_failed_from(Some(&previous));
        assert_eq!(now.databases, previous.databases, "RDS as last read");
        assert_eq!(now.alarms[0].name, "new-alarm", "alarms fresh");
        assert!(
            now.services[0].task_definition.is_some(),
            "same revision: kept"
        );
        assert!(
            now.services[1].task_definition.is_none(),
            "a new revision is not guessed"
        );
        assert_eq!(
            now.failure(Section::Rds).and_then(|f| f.shown_from),
            Some(t(0))
        );
        // Still failing a cycle later: since and shown_from stay those of the first failure.
        let mut later = EnvInventory {
            fetched_at: Some(t(2)),
            failed: vec![failure(Section::Rds, t(2))],
            ..Default::default()
        };
        later.keep_failed_from(Some(&now));
        let kept = later.failure(Section::Rds).unwrap();
        assert_eq!((kept.since, kept.shown_from), (t(1), Some(t(0))));
        assert_eq!(later.databases, previous.databases);
    }

    #[test]
    fn target_tracking_alarms_and_alarms_that_only_scale_are_scaling_signals() {
        let policy = "arn:aws:autoscaling:eu-west-1:333333333333:scalingPolicy:0f1e2d3c-aaaa-bbbb-cccc-111122223333:resource/ecs/service/prod-main/web:policyName/cpu-target";
        let topic = "arn:aws:sns:eu-west-1:333333333333:ops-alerts";
        let alarm = |name: &str, actions: &[&str]| Alarm {
            actions: actions.iter().map(|a| a.to_string()).collect(),
            ..crate::domain::fixtures::alarm(name, AlarmResource::Unknown)
        };
        let table = [
            (
                alarm(
                    "TargetTracking-service/prod-main/web-AlarmLow-5f5ce849",
                    &[policy],
                ),
                true,
            ),
            (
                alarm(
                    "TargetTracking-service/prod-main/web-AlarmHigh-2b04c763",
                    &[],
                ),
                true,
            ),
            (alarm("web-cpu-scale-out", &[policy]), true),
            (alarm("web-cpu-high", &[topic]), false),
            (alarm("web-cpu-high-and-scale", &[policy, topic]), false),
            (alarm("web-cpu-no-actions", &[]), false),
        ];
        for (alarm, expected) in table {
            assert_eq!(alarm.is_scaling_signal(), expected, "{}", alarm.name);
        }
    }

    #[test]
    fn a_database_is_labelled_and_measured_by_its_engine() {
        let db = |kind: DbKind, engine: &str| Database {
            kind,
            engine: engine.to_string(),
            ..crate::domain::fixtures::database("db", "shop")
        };
        let table = [
            (
                db(DbKind::Instance, "postgres"),
                "RDS instance",
                "AWS/RDS",
                StorageMetric::Free("FreeStorageSpace"),
            ),
            (
                db(DbKind::AuroraCluster, "aurora-postgresql"),
                "Aurora cluster",
                "AWS/RDS",
                StorageMetric::Used("VolumeBytesUsed"),
            ),
            (
                db(DbKind::AuroraCluster, "aurora-mysql"),
                "Aurora cluster",
                "AWS/RDS",
                StorageMetric::Used("VolumeBytesUsed"),
            ),
            (
                db(DbKind::AuroraCluster, "postgres"),
                "Multi-AZ DB cluster",
                "AWS/RDS",
                StorageMetric::Free("FreeStorageSpace"),
            ),
            (
                db(DbKind::AuroraCluster, "neptune"),
                "Neptune cluster",
                "AWS/Neptune",
                StorageMetric::Used("VolumeBytesUsed"),
            ),
            (
                db(DbKind::AuroraCluster, "docdb"),
                "DocumentDB cluster",
                "AWS/DocDB",
                StorageMetric::Used("VolumeBytesUsed"),
            ),
        ];
        for (db, label, namespace, storage) in table {
            let family = db.family();
            assert_eq!(
                (family.label(), family.namespace(), family.storage_metric()),
                (label, namespace, storage),
                "{}",
                db.engine
            );
        }
        assert_eq!(DbFamily::Neptune.connections_metric(), None);
    }

    #[test]
    fn a_failed_calls_text_says_whether_the_api_is_missing_denied_or_just_failing() {
        let table = [
            ("CloudWatch DescribeAlarmHistory: service error: unhandled error: error parsing XML: no root element (raw: Response { status: StatusCode(500), ...", Some(Unavailable::NotOffered)),
            ("ECS ListServices: The NotImplemented operation is not supported", Some(Unavailable::NotOffered)),
            ("RDS DescribeEvents: raw: Response { status: StatusCode(501)", Some(Unavailable::NotOffered)),
            ("CloudWatch DescribeAlarmHistory: AccessDenied: User: arn:aws:sts::1:assumed-role/quarterdeck/x is not authorized to perform: cloudwatch:DescribeAlarmHistory with an explicit deny in a service control policy", Some(Unavailable::Denied)),
            ("CloudWatch DescribeAlarmHistory: Throttling: Rate exceeded (raw: Response { status: StatusCode(400)", None),
            ("CloudWatch DescribeAlarmHistory: InternalFailure (raw: Response { status: StatusCode(500)", None),
            ("dispatch failure: io error: connection refused", None),
        ];
        for (text, expected) in table {
            assert_eq!(Unavailable::of_error(text), expected, "{text}");
        }
    }
    use chrono::TimeZone;

    #[test]
    fn images_split_into_repository_and_version() {
        let cases = [
            ("nginx", ("nginx", "latest")),
            ("nginx:1.25", ("nginx", "1.25")),
            (
                "1234.dkr.ecr.eu-west-1.amazonaws.com/api:2.0.1",
                ("1234.dkr.ecr.eu-west-1.amazonaws.com/api", "2.0.1"),
            ),
            ("localhost:5000/api", ("localhost:5000/api", "latest")),
            ("api@sha256:abc", ("api", "sha256:abc")),
        ];
        for (image, expected) in cases {
            assert_eq!(split_image(image), expected, "{image}");
        }
    }

    #[test]
    fn alarm_resources_come_from_dimensions() {
        let dims = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let cases = [
            (
                dims(&[("ClusterName", "prod-main"), ("ServiceName", "api")]),
                AlarmResource::Service {
                    cluster: "prod-main".into(),
                    service: "api".into(),
                },
            ),
            (
                dims(&[("DBInstanceIdentifier", "db1")]),
                AlarmResource::Database { id: "db1".into() },
            ),
            (
                dims(&[("QueueName", "jobs")]),
                AlarmResource::Queue {
                    name: "jobs".into(),
                },
            ),
            (
                dims(&[("ApiName", "gw")]),
                AlarmResource::Other {
                    label: "ApiName=gw".into(),
                },
            ),
            (dims(&[]), AlarmResource::Unknown),
        ];
        for (input, expected) in cases {
            assert_eq!(AlarmResource::from_dimensions(&input), expected);
        }
    }

    #[test]
    fn freshness_follows_errors_and_age() {
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        let ok_at = |secs: i64| RefreshStatus {
            last_success: Some(now - chrono::Duration::seconds(secs)),
            ..Default::default()
        };
        assert_eq!(
            freshness(&RefreshStatus::default(), 30, now),
            Freshness::Loading
        );
        assert_eq!(freshness(&ok_at(10), 30, now), Freshness::Fresh);
        assert_eq!(freshness(&ok_at(61), 30, now), Freshness::Stale);
        let failing = RefreshStatus {
            error: Some(RefreshError {
                message: "boom".into(),
                since: now,
            }),
            ..ok_at(5)
        };
        assert_eq!(freshness(&failing, 30, now), Freshness::Failing);
    }

    #[test]
    fn deploying_means_several_live_deployments_or_primary_in_progress() {
        let dep = |status: &str, rollout: Option<&str>| Deployment {
            id: "d".into(),
            status: status.into(),
            task_definition_arn: "arn".into(),
            desired: 1,
            running: 1,
            pending: 0,
            failed_tasks: 0,
            rollout_state: rollout.map(str::to_string),
            rollout_reason: None,
            created_at: None,
            updated_at: None,
        };
        let mut svc = Service {
            cluster: "c".into(),
            name: "s".into(),
            arn: "a".into(),
            status: "ACTIVE".into(),
            desired: 1,
            running: 1,
            pending: 0,
            launch_type: None,
            task_definition_arn: "arn:aws:ecs:eu-west-1:1:task-definition/web:7".into(),
            task_definition: None,
            deployments: vec![dep("PRIMARY", Some("COMPLETED"))],
            events: vec![],
            tasks: vec![],
            tags: BTreeMap::new(),
            app: None,
            created_at: None,
            autoscaling: None,
            scaling_policies: vec![],
            circuit_breaker: None,
            load_balancers: vec![],
        };
        assert!(!svc.deploying());
        assert_eq!(svc.revision_label(), "web:7");
        svc.deployments.push(dep("ACTIVE", None));
        assert!(svc.deploying());
        svc.deployments = vec![dep("PRIMARY", Some("IN_PROGRESS"))];
        assert!(svc.deploying());

        // A targeted refresh replaces the one service, keeping what it did not read.
        svc.autoscaling = Some((1, 3));
        svc.tasks = vec![];
        let other = Service {
            name: "other".into(),
            ..svc.clone()
        };
        let mut inv = EnvInventory {
            services: vec![svc.clone(), other.clone()],
            ..Default::default()
        };
        let mut details = EnvDetails::default();
        let fresh = Service {
            desired: 4,
            autoscaling: None,
            scaling_policies: vec![],
            ..svc.clone()
        };
        inv.apply(
            Some(&mut details),
            ResourceUpdate::Service {
                cluster: "c".into(),
                name: "s".into(),
                service: Some(fresh),
                revisions: Some(("web".into(), vec![])),
            },
        );
        assert_eq!(inv.services[0].desired, 4);
        assert_eq!(inv.services[0].autoscaling, Some((1, 3)));
        assert_eq!(inv.services[1], other);
        assert!(details.revisions.contains_key("web"));
        inv.apply(
            None,
            ResourceUpdate::Service {
                cluster: "c".into(),
                name: "s".into(),
                service: None,
                revisions: None,
            },
        );
        assert_eq!(inv.services, vec![other]);
    }

    #[test]
    fn a_targeted_database_refresh_replaces_its_snapshots_only() {
        let snap = |id: &str, db: &str| DbSnapshot {
            id: id.into(),
            db_id: db.into(),
            snapshot_type: "manual".into(),
            status: "available".into(),
            created_at: None,
            allocated_storage_gb: None,
            engine: None,
        };
        let mut inv = EnvInventory {
            db_snapshots: vec![snap("a-1", "a"), snap("b-1", "b")],
            ..Default::default()
        };
        inv.apply(
            None,
            ResourceUpdate::Database {
                id: "a".into(),
                database: None,
                snapshots: vec![snap("a-1", "a"), snap("a-2", "a")],
            },
        );
        let ids: Vec<&str> = inv.db_snapshots.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["b-1", "a-1", "a-2"]);
    }
}
