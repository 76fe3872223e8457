//! Narrow traits between the use cases and the adapters in the `server` crate. They speak domain
//! types only, and fail with [`PortError`]: the adapter's own typed error, kept whole so its
//! chain reaches the log when the use case turns it into the opaque [`AppError::Internal`].

use crate::domain::ids::EnvId;
use crate::domain::inventory::{EnvDescriptor, EnvDetails, EnvInventory, RefreshStatus};
use crate::domain::views::EnvData;
use crate::error::AppError;
use std::sync::Arc;

pub use crate::domain::audit::AuditEntry;

/// An adapter's failure (a database error, a stored row that does not parse), kept whole with
/// its source chain. Never shown to a client: [`PortResult::context`] logs it and answers
/// [`AppError::Internal`].
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct PortError(Box<dyn std::error::Error + Send + Sync + 'static>);

impl PortError {
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(error))
    }
}

/// Turns a port's failure into the boundary error, once: the context and the whole chain go
/// to the log, the client gets the opaque internal error.
pub trait PortResult<T> {
    fn context(self, what: &'static str) -> Result<T, AppError>;
}

impl<T> PortResult<T> for Result<T, PortError> {
    fn context(self, what: &'static str) -> Result<T, AppError> {
        self.map_err(|e| AppError::internal_error(what, &e))
    }
}

/// A consistent read of one environment: its description, refresh status and the last good
/// snapshots (shared, never copied per request).
#[derive(Debug, Clone)]
pub struct EnvState {
    pub descriptor: EnvDescriptor,
    pub status: RefreshStatus,
    pub inventory: Option<Arc<EnvInventory>>,
    pub details: Option<Arc<EnvDetails>>,
    /// The inventory's summary, worked out when the snapshot changed.
    pub summary: Option<Arc<crate::domain::views::EnvSummary>>,
}

impl EnvState {
    pub fn data(&self) -> EnvData<'_> {
        EnvData {
            descriptor: &self.descriptor,
            status: &self.status,
            inventory: self.inventory.as_deref(),
            details: self.details.as_deref(),
            summary: self.summary.as_deref(),
        }
    }
}

/// Why an on-demand refresh failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RefreshFailed {
    #[error("unknown environment {0}")]
    UnknownEnv(EnvId),
    #[error("{0}")]
    Upstream(String),
}

/// The inventory cache. Reads are in-memory and make no AWS call.
#[async_trait::async_trait]
pub trait InventoryPort: Send + Sync {
    /// Every configured environment, in config order.
    fn states(&self) -> Vec<EnvState>;
    fn state(&self, env: &EnvId) -> Option<EnvState>;
    /// Refreshes the environment because a person asked: concurrent callers share one
    /// refresh, and one asked for within the adapter's interval of the last one asked for
    /// shares that one's outcome instead of calling AWS again.
    async fn refresh(&self, env: &EnvId) -> Result<(), RefreshFailed>;
    /// Re-reads one resource (after an action touched it) and patches it into the snapshot.
    async fn refresh_resource(
        &self,
        env: &EnvId,
        resource: &crate::domain::inventory::ResourceRef,
    ) -> Result<(), RefreshFailed>;
}

/// Which entries a query may return: every environment (`None`, admins) or the listed ones,
/// plus entries without an environment made by the person `viewer` (by id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditScope {
    pub envs: Option<Vec<String>>,
    pub viewer: crate::domain::person::PersonId,
}

/// The append-only audit log.
#[async_trait::async_trait]
pub trait AuditPort: Send + Sync {
    /// Commits the entry before returning.
    async fn record(&self, entry: AuditEntry) -> Result<(), PortError>;
    /// Entries matching `filter` within `scope`, newest first, and how many match in all.
    async fn query(
        &self,
        filter: &crate::domain::audit::AuditFilter,
        scope: &AuditScope,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<crate::domain::audit::AuditRow>, i64), PortError>;
}

/// An action as recorded before it runs. Its key is looked up within its actor (by id) and
/// environment ([`crate::domain::actions::IdempotencyKey::scoped`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRecord {
    pub key: crate::domain::actions::IdempotencyKey,
    /// The actor's name, for showing.
    pub actor: String,
    /// Who acts: the key's scope.
    pub actor_id: crate::domain::person::PersonId,
    pub env: String,
    pub kind: crate::domain::actions::ActionKind,
    pub target: String,
    /// The validated inputs as JSON, to tell a retry from a different action with the same key.
    pub params: String,
    pub reason: Option<String>,
}

/// What recording an action found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begun {
    /// New: the intent is recorded (and audited); go ahead.
    Started,
    /// This key already ran to the end: here is its result.
    AlreadyDone(Box<crate::domain::actions::ActionResult>),
    /// This key is running right now.
    InFlight,
    /// This key belongs to a different action.
    KeyReused,
}

/// An action whose outcome is not settled, as the sweeper finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsettled {
    pub record: ActionRecord,
    /// What it ran; `None` for actions recorded before commands were kept with them.
    pub command: Option<ActionCommand>,
    /// Its latest result: `Running` (with the revision a deploy registered, once it has) or
    /// `Checking`.
    pub result: Option<crate::domain::actions::ActionResult>,
    pub started_at: chrono::DateTime<chrono::Utc>,
}

/// The actions table and its audit rows.
#[async_trait::async_trait]
pub trait ActionStore: Send + Sync {
    /// Records the intent — the action `running` with `started` as its result so far, and the
    /// command it runs — and its audit row in one transaction, unless the caller already used
    /// the key in this environment.
    async fn begin(
        &self,
        record: &ActionRecord,
        command: &ActionCommand,
        started: &crate::domain::actions::ActionResult,
        intent: AuditEntry,
    ) -> Result<Begun, PortError>;
    /// Notes how far a running action got (a deploy's registered revision) in its result,
    /// while it is still running.
    async fn progress(
        &self,
        record: &ActionRecord,
        result: &crate::domain::actions::ActionResult,
    ) -> Result<(), PortError>;
    /// Records the outcome of `record` and its audit row in one transaction, if the action is
    /// still running or being checked; true when this call recorded it (the sweeper and the run
    /// itself never both do).
    async fn finish(
        &self,
        record: &ActionRecord,
        result: &crate::domain::actions::ActionResult,
        outcome: AuditEntry,
    ) -> Result<bool, PortError>;
    /// [`ActionStore::finish`] for a change to a service that succeeded, which also starts
    /// following the rollout it set off (`follow`), in the same transaction: a process stopping
    /// in between never leaves a succeeded change unfollowed.
    async fn finish_following(
        &self,
        record: &ActionRecord,
        result: &crate::domain::actions::ActionResult,
        outcome: AuditEntry,
        follow: &NewRollout,
    ) -> Result<bool, PortError>;
    /// Actions started before `started_before` whose outcome is not settled (still running, or
    /// being checked), oldest first.
    async fn unsettled(
        &self,
        started_before: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Unsettled>, PortError>;
    /// The result of the action the person `actor` recorded under `key` in `env`, if it was a
    /// `kind` — finished, or how far it got: a retry gets it back before the request is checked
    /// against today's state.
    async fn finished(
        &self,
        key: &crate::domain::actions::IdempotencyKey,
        actor: &crate::domain::person::PersonId,
        env: &str,
        kind: crate::domain::actions::ActionKind,
    ) -> Result<Option<crate::domain::actions::ActionResult>, PortError>;
    /// The latest actions on one resource, newest first.
    async fn recent(
        &self,
        env: &str,
        target: &str,
        limit: i64,
    ) -> Result<Vec<crate::domain::actions::ActionResult>, PortError>;
    /// The latest actions of these kinds anywhere in one environment, newest first.
    async fn recent_in_env(
        &self,
        env: &str,
        kinds: &[crate::domain::actions::ActionKind],
        limit: i64,
    ) -> Result<Vec<crate::domain::actions::ActionResult>, PortError>;
    /// The actions of one environment that started between `from` and `to`, oldest first (at
    /// most 500), for incident timelines.
    async fn between(
        &self,
        env: &str,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<crate::domain::actions::ActionResult>, PortError>;
}

/// A change to make in AWS (stored as JSON with its action, and with a release request until it
/// runs), with what the service was when the change was checked: the run compares the live
/// service with it first. Fields added later default, so commands stored before still read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ActionCommand {
    Scale {
        cluster: String,
        service: String,
        desired: i32,
        /// The desired count it was checked against.
        #[serde(default)]
        from: Option<i32>,
        /// The service's autoscaling range, changed first so target tracking does not undo the
        /// count (and put back when the count cannot be set).
        #[serde(default)]
        range: Option<crate::domain::plans::RangeChange>,
    },
    Redeploy {
        cluster: String,
        service: String,
        /// The revision it was checked against (and restarts).
        #[serde(default)]
        revision: Option<String>,
    },
    /// Point the service at an existing revision.
    Rollback {
        cluster: String,
        service: String,
        task_definition: String,
        /// The revision it was checked against.
        #[serde(default)]
        from: Option<String>,
    },
    /// Register a copy of `from` (the revision it was checked against) with `container`'s
    /// image replaced, then point the service at it.
    Deploy {
        cluster: String,
        service: String,
        from: String,
        container: String,
        image: String,
    },
    /// A promotion: register a copy of `from` with each named container's image replaced by
    /// the pinned one (`container → repo@sha256:…`), then point the service at it.
    DeployImages {
        cluster: String,
        service: String,
        from: String,
        images: Vec<(String, String)>,
    },
    Snapshot {
        db: String,
        aurora: bool,
        name: String,
    },
    SetAlarmActions {
        alarm: String,
        enabled: bool,
    },
    /// StartMessageMoveTask from dead-letter queue `queue` (ARN `source_arn`) to
    /// `destination_arn` (`None`: each message's own source queue).
    Redrive {
        queue: String,
        source_arn: String,
        destination_arn: Option<String>,
        rate: Option<i32>,
    },
    /// CancelMessageMoveTask of the redrive of `queue` with this handle.
    CancelRedrive {
        queue: String,
        source_arn: String,
        handle: String,
    },
    /// PurgeQueue.
    Purge {
        queue: String,
        url: String,
    },
    /// UpdateEventSourceMapping `uuid` of `function` to `enabled`.
    SetMapping {
        function: String,
        uuid: String,
        enabled: bool,
    },
    /// UpdateAlias `alias` of `function` from routing `from` to `to`.
    UpdateAlias {
        function: String,
        alias: String,
        from: crate::domain::work_actions::AliasRouting,
        to: crate::domain::work_actions::AliasRouting,
    },
    /// PutFunctionConcurrency `to`, or DeleteFunctionConcurrency when `None`; `from` as checked.
    SetConcurrency {
        function: String,
        from: Option<i32>,
        to: Option<i32>,
    },
    /// Run scheduled job `key` once now: its task or its function, as its target says.
    RunJob {
        key: String,
        run: crate::domain::job_actions::JobRunTarget,
    },
    /// Enable or disable scheduled job `key` (a rule, or a schedule in its group).
    SetJobState {
        key: String,
        source: crate::domain::scheduled_jobs::JobSource,
        name: String,
        enabled: bool,
    },
    /// SetDesiredCapacity of Auto Scaling group `group` to `to`; `from` as checked.
    SetCapacity {
        group: String,
        from: i32,
        to: i32,
    },
    /// UpdateAutoScalingGroup `group`'s minimum and maximum to `to`; `from` as checked.
    SetCapacityBounds {
        group: String,
        from: (i32, i32),
        to: (i32, i32),
    },
    /// StartInstanceRefresh of `group`, keeping `min_healthy` percent in service.
    RefreshInstances {
        group: String,
        min_healthy: i32,
    },
}

impl ActionCommand {
    /// The resource the command changes, refreshed alone once it has run.
    pub fn resource(&self) -> crate::domain::inventory::ResourceRef {
        use crate::domain::inventory::ResourceRef;
        match self {
            ActionCommand::Scale {
                cluster, service, ..
            }
            | ActionCommand::Redeploy {
                cluster, service, ..
            }
            | ActionCommand::Rollback {
                cluster, service, ..
            }
            | ActionCommand::Deploy {
                cluster, service, ..
            }
            | ActionCommand::DeployImages {
                cluster, service, ..
            } => ResourceRef::Service {
                cluster: cluster.clone(),
                name: service.clone(),
            },
            ActionCommand::Snapshot { db, aurora, .. } => ResourceRef::Database {
                id: db.clone(),
                aurora: *aurora,
            },
            ActionCommand::SetAlarmActions { alarm, .. } => ResourceRef::Alarm {
                name: alarm.clone(),
            },
            ActionCommand::Redrive { queue, .. } | ActionCommand::CancelRedrive { queue, .. } => {
                ResourceRef::Queue {
                    name: queue.clone(),
                    move_tasks: true,
                }
            }
            ActionCommand::Purge { queue, .. } => ResourceRef::Queue {
                name: queue.clone(),
                move_tasks: false,
            },
            ActionCommand::SetMapping { function, .. }
            | ActionCommand::UpdateAlias { function, .. }
            | ActionCommand::SetConcurrency { function, .. } => ResourceRef::Function {
                name: function.clone(),
            },
            ActionCommand::RunJob { key, .. } | ActionCommand::SetJobState { key, .. } => {
                ResourceRef::Job { key: key.clone() }
            }
            ActionCommand::SetCapacity { group, .. }
            | ActionCommand::SetCapacityBounds { group, .. }
            | ActionCommand::RefreshInstances { group, .. } => ResourceRef::Asg {
                name: group.clone(),
            },
        }
    }

    /// What the service must still be for the command to run, when the command knows.
    pub fn before(&self) -> Option<crate::domain::execution::Before> {
        use crate::domain::execution::Before;
        match self {
            ActionCommand::Scale { from, .. } => from.map(Before::Desired),
            ActionCommand::Redeploy { revision, .. } => revision.clone().map(Before::Revision),
            ActionCommand::Rollback { from, .. } => from.clone().map(Before::Revision),
            ActionCommand::Deploy { from, .. } | ActionCommand::DeployImages { from, .. } => {
                Some(Before::Revision(from.clone()))
            }
            ActionCommand::UpdateAlias { from, .. } => Some(Before::Alias(from.clone())),
            ActionCommand::Redrive { .. } => Some(Before::NoRedriveRunning),
            _ => None,
        }
    }

    /// The service and what to follow its rollout for, once the change succeeded: the revision
    /// a deploy registered (`registered`) or a rollback points at, the revision a redeploy
    /// restarts, the count a scale asks for. `None` for what is not a service, and for a redeploy
    /// stored before commands carried their revision.
    pub fn follows(
        &self,
        registered: Option<&str>,
    ) -> Option<(String, String, crate::domain::followed::Expected)> {
        use crate::domain::followed::Expected;
        let (cluster, service, expected) = match self {
            ActionCommand::Scale {
                cluster,
                service,
                desired,
                ..
            } => (cluster, service, Expected::Desired(*desired)),
            ActionCommand::Redeploy {
                cluster,
                service,
                revision,
            } => (cluster, service, Expected::Redeploy(revision.clone()?)),
            ActionCommand::Rollback {
                cluster,
                service,
                task_definition,
                ..
            } => (
                cluster,
                service,
                Expected::Revision(task_definition.clone()),
            ),
            ActionCommand::Deploy {
                cluster, service, ..
            }
            | ActionCommand::DeployImages {
                cluster, service, ..
            } => (
                cluster,
                service,
                Expected::Revision(registered?.to_string()),
            ),
            _ => return None,
        };
        Some((cluster.clone(), service.clone(), expected))
    }

    /// The revision a deploy registers first: a copy of `from` with these images.
    pub fn registers(&self) -> Option<(&str, Vec<(String, String)>)> {
        match self {
            ActionCommand::Deploy {
                from,
                container,
                image,
                ..
            } => Some((from, vec![(container.clone(), image.clone())])),
            ActionCommand::DeployImages { from, images, .. } => Some((from, images.clone())),
            _ => None,
        }
    }

    /// A scale's autoscaling range change: the service, and the range before and after.
    pub fn range_change(&self) -> Option<(&str, &str, crate::domain::plans::RangeChange)> {
        match self {
            ActionCommand::Scale {
                cluster,
                service,
                range: Some(range),
                ..
            } => Some((cluster, service, *range)),
            _ => None,
        }
    }

    /// The one AWS call that makes the change; a deploy's names the revision registered for
    /// it, and without one there is none to make.
    pub fn change(&self, registered: Option<&str>) -> Option<AwsChange> {
        Some(match self {
            ActionCommand::Scale {
                cluster,
                service,
                desired,
                ..
            } => AwsChange::UpdateService {
                cluster: cluster.clone(),
                service: service.clone(),
                desired: Some(*desired),
                task_definition: None,
                force_new_deployment: false,
            },
            ActionCommand::Redeploy {
                cluster, service, ..
            } => AwsChange::UpdateService {
                cluster: cluster.clone(),
                service: service.clone(),
                desired: None,
                task_definition: None,
                force_new_deployment: true,
            },
            ActionCommand::Rollback {
                cluster,
                service,
                task_definition,
                ..
            } => AwsChange::UpdateService {
                cluster: cluster.clone(),
                service: service.clone(),
                desired: None,
                task_definition: Some(task_definition.clone()),
                force_new_deployment: false,
            },
            ActionCommand::Deploy {
                cluster, service, ..
            }
            | ActionCommand::DeployImages {
                cluster, service, ..
            } => AwsChange::UpdateService {
                cluster: cluster.clone(),
                service: service.clone(),
                desired: None,
                task_definition: Some(registered?.to_string()),
                force_new_deployment: false,
            },
            ActionCommand::Snapshot { db, aurora, name } => AwsChange::Snapshot {
                db: db.clone(),
                aurora: *aurora,
                name: name.clone(),
            },
            ActionCommand::SetAlarmActions { alarm, enabled } => AwsChange::SetAlarmActions {
                alarm: alarm.clone(),
                enabled: *enabled,
            },
            ActionCommand::Redrive {
                source_arn,
                destination_arn,
                rate,
                ..
            } => AwsChange::StartMoveTask {
                source_arn: source_arn.clone(),
                destination_arn: destination_arn.clone(),
                rate: *rate,
            },
            ActionCommand::CancelRedrive { handle, .. } => AwsChange::CancelMoveTask {
                handle: handle.clone(),
            },
            ActionCommand::Purge { url, .. } => AwsChange::PurgeQueue { url: url.clone() },
            ActionCommand::SetMapping { uuid, enabled, .. } => AwsChange::UpdateMapping {
                uuid: uuid.clone(),
                enabled: *enabled,
            },
            ActionCommand::UpdateAlias {
                function,
                alias,
                to,
                ..
            } => AwsChange::UpdateAlias {
                function: function.clone(),
                alias: alias.clone(),
                routing: to.clone(),
            },
            ActionCommand::SetConcurrency { function, to, .. } => AwsChange::PutConcurrency {
                function: function.clone(),
                reserved: *to,
            },
            ActionCommand::RunJob { run, .. } => AwsChange::RunJob { run: run.clone() },
            ActionCommand::SetJobState {
                source,
                name,
                enabled,
                ..
            } => AwsChange::SetJobState {
                source: source.clone(),
                name: name.clone(),
                enabled: *enabled,
            },
            ActionCommand::SetCapacity { group, to, .. } => AwsChange::SetCapacity {
                group: group.clone(),
                desired: *to,
            },
            ActionCommand::SetCapacityBounds { group, to, .. } => AwsChange::SetCapacityBounds {
                group: group.clone(),
                min: to.0,
                max: to.1,
            },
            ActionCommand::RefreshInstances { group, min_healthy } => {
                AwsChange::StartInstanceRefresh {
                    group: group.clone(),
                    min_healthy: *min_healthy,
                }
            }
        })
    }

    /// What the command changes, to recognise it when the resource is read back: `registered`
    /// is the revision a deploy registered (when recorded), `asked` when the action started.
    pub fn intended(
        &self,
        registered: Option<&str>,
        asked: chrono::DateTime<chrono::Utc>,
    ) -> crate::domain::execution::Intended {
        use crate::domain::execution::Intended;
        match self {
            ActionCommand::Scale { desired, from, .. } => Intended::Desired {
                from: *from,
                to: *desired,
            },
            ActionCommand::Redeploy { .. } => Intended::NewDeployment { asked },
            ActionCommand::Rollback {
                task_definition,
                from,
                ..
            } => Intended::Revision {
                from: from.clone(),
                to: Some(task_definition.clone()),
            },
            ActionCommand::Deploy { from, .. } | ActionCommand::DeployImages { from, .. } => {
                Intended::Revision {
                    from: Some(from.clone()),
                    to: registered.map(str::to_string),
                }
            }
            ActionCommand::Snapshot { .. } => Intended::Snapshot,
            ActionCommand::SetAlarmActions { enabled, .. } => {
                Intended::AlarmActions { enabled: *enabled }
            }
            ActionCommand::Redrive { .. } => Intended::Redrive { asked },
            ActionCommand::CancelRedrive { handle, .. } => Intended::CancelRedrive {
                handle: handle.clone(),
            },
            ActionCommand::Purge { .. } => Intended::Purge,
            ActionCommand::SetMapping { enabled, .. } => Intended::Mapping { enabled: *enabled },
            ActionCommand::UpdateAlias { from, to, .. } => Intended::Alias {
                from: from.clone(),
                to: to.clone(),
            },
            ActionCommand::SetConcurrency { from, to, .. } => Intended::Concurrency {
                from: *from,
                to: *to,
            },
            ActionCommand::RunJob { .. } => Intended::JobRun { asked },
            ActionCommand::SetJobState { enabled, .. } => Intended::JobState { enabled: *enabled },
            ActionCommand::SetCapacity { from, to, .. } => Intended::Capacity {
                from: *from,
                to: *to,
            },
            ActionCommand::SetCapacityBounds { from, to, .. } => Intended::Bounds {
                from: *from,
                to: *to,
            },
            ActionCommand::RefreshInstances { .. } => Intended::Refresh { asked },
        }
    }
}

/// The one mutating AWS call an action makes (after a deploy's registration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsChange {
    /// UpdateService with what changes: the desired count, the task definition, or a forced
    /// new deployment.
    UpdateService {
        cluster: String,
        service: String,
        desired: Option<i32>,
        task_definition: Option<String>,
        force_new_deployment: bool,
    },
    /// CreateDBSnapshot, or CreateDBClusterSnapshot for Aurora.
    Snapshot {
        db: String,
        aurora: bool,
        name: String,
    },
    /// EnableAlarmActions or DisableAlarmActions.
    SetAlarmActions { alarm: String, enabled: bool },
    /// StartMessageMoveTask.
    StartMoveTask {
        source_arn: String,
        destination_arn: Option<String>,
        rate: Option<i32>,
    },
    /// CancelMessageMoveTask.
    CancelMoveTask { handle: String },
    /// PurgeQueue.
    PurgeQueue { url: String },
    /// UpdateEventSourceMapping with `Enabled`.
    UpdateMapping { uuid: String, enabled: bool },
    /// UpdateAlias with the version and routing weights.
    UpdateAlias {
        function: String,
        alias: String,
        routing: crate::domain::work_actions::AliasRouting,
    },
    /// PutFunctionConcurrency, or DeleteFunctionConcurrency for `None`.
    PutConcurrency {
        function: String,
        reserved: Option<i32>,
    },
    /// RunTask with a job target's parameters, or Invoke (`Event`) with its payload.
    RunJob {
        run: crate::domain::job_actions::JobRunTarget,
    },
    /// EnableRule/DisableRule, or UpdateSchedule with the schedule as it is and `State` set.
    SetJobState {
        source: crate::domain::scheduled_jobs::JobSource,
        name: String,
        enabled: bool,
    },
    /// SetDesiredCapacity.
    SetCapacity { group: String, desired: i32 },
    /// UpdateAutoScalingGroup with `MinSize` and `MaxSize`.
    SetCapacityBounds { group: String, min: i32, max: i32 },
    /// StartInstanceRefresh with `MinHealthyPercentage`.
    StartInstanceRefresh { group: String, min_healthy: i32 },
}

/// What AWS did, beyond succeeding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionOutput {
    /// The task definition the service now points at.
    pub revision: Option<String>,
}

/// A failed AWS call: AWS's error code and message (or what went wrong on the way), and what
/// the failure says about the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionFailure {
    pub code: String,
    pub message: String,
    pub outcome: crate::domain::execution::CallOutcome,
}

impl ActionFailure {
    /// A failure that changed nothing (the console's own, or AWS's refusal).
    pub fn refused(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            outcome: crate::domain::execution::CallOutcome::NotApplied,
        }
    }
}

/// Reads and changes what actions touch in AWS. Mutations are sent once, without SDK retries:
/// a retry could follow an attempt AWS applied, and its answer would say nothing about it.
#[async_trait::async_trait]
pub trait ActionPort: Send + Sync {
    /// Reads the resource `command` changes, as it is now (one Describe call).
    async fn observe(
        &self,
        env: &EnvId,
        command: &ActionCommand,
    ) -> Result<crate::domain::execution::Observed, ActionFailure>;
    /// Registers a copy of task definition `from` with the named containers' images replaced,
    /// as `actor`; answers the new revision's ARN.
    async fn register_revision(
        &self,
        env: &EnvId,
        actor: &crate::domain::acting::AwsActor,
        from: &str,
        images: &[(String, String)],
    ) -> Result<String, ActionFailure>;
    /// Deregisters a revision registered for a change that was not made, as `actor`.
    async fn deregister_revision(
        &self,
        env: &EnvId,
        actor: &crate::domain::acting::AwsActor,
        arn: &str,
    ) -> Result<(), ActionFailure>;
    /// Sets the Application Auto Scaling range of `cluster/service`'s desired count
    /// (RegisterScalableTarget), as `actor`.
    async fn set_scaling_range(
        &self,
        env: &EnvId,
        actor: &crate::domain::acting::AwsActor,
        cluster: &str,
        service: &str,
        range: (i32, i32),
    ) -> Result<(), ActionFailure>;
    /// Makes the change as `actor`: under a role session named after them where the
    /// environment assumes a role.
    async fn apply(
        &self,
        env: &EnvId,
        actor: &crate::domain::acting::AwsActor,
        change: &AwsChange,
    ) -> Result<ActionOutput, ActionFailure>;
}

/// A rollout to follow, recorded with the outcome of the action that set it off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRollout {
    pub env: String,
    pub cluster: String,
    pub service: String,
    pub kind: crate::domain::actions::ActionKind,
    /// The action's summary.
    pub summary: String,
    /// Who ran the action (a release's requester), for showing.
    pub actor: String,
    /// The release request the action ran for, if any.
    pub release: Option<i64>,
    pub expected: crate::domain::followed::Expected,
    /// When the change was made.
    pub since: chrono::DateTime<chrono::Utc>,
}

/// The rollouts the console follows after each change to a service, until ECS ends them.
#[async_trait::async_trait]
pub trait RolloutStore: Send + Sync {
    /// The rollouts still followed, those read longest ago first (at most `limit`).
    async fn following(
        &self,
        limit: i64,
    ) -> Result<Vec<crate::domain::followed::FollowedRollout>, PortError>;
    /// Notes a reading that left the rollout going: when, and the action's deployment as seen.
    async fn checked(
        &self,
        id: i64,
        seen: Option<&crate::domain::followed::SeenDeployment>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), PortError>;
    /// Records how the rollout ended, if it is still followed, in one transaction: the followed
    /// row, the outcome in its action's result, a history entry on its release request (when it
    /// ran for one) and the audit row. True when this call recorded it.
    async fn end(
        &self,
        id: i64,
        outcome: &crate::domain::rollout_outcome::RolloutOutcome,
        seen: Option<&crate::domain::followed::SeenDeployment>,
        release_event: Option<&crate::domain::approvals::ReleaseEvent>,
        audit: AuditEntry,
    ) -> Result<bool, PortError>;
    /// The newest rollout followed on one service (`cluster/service`).
    async fn latest(
        &self,
        env: &str,
        target: &str,
    ) -> Result<Option<crate::domain::followed::FollowedRollout>, PortError>;
}

/// Reads the services whose rollouts are followed, in AWS.
#[async_trait::async_trait]
pub trait RolloutReader: Send + Sync {
    /// The named services of one cluster as DescribeServices reports them now, at most ten per
    /// call; one that no longer exists (or is INACTIVE) is left out.
    async fn services(
        &self,
        env: &EnvId,
        cluster: &str,
        names: &[String],
    ) -> Result<Vec<crate::domain::inventory::Service>, PortError>;

    /// The health of `service`'s target groups now (one DescribeTargetHealth each) and the
    /// private addresses of its running tasks of the revision it runs (empty when they have
    /// none of their own): whether a rollout ECS completed is healthy behind its load balancer.
    async fn targets(
        &self,
        env: &EnvId,
        service: &crate::domain::inventory::Service,
    ) -> Result<(Vec<crate::domain::load_balancing::TargetGroup>, Vec<String>), PortError>;
}

/// CloudWatch Logs of an environment, read when a person asks.
#[async_trait::async_trait]
pub trait LogsPort: Send + Sync {
    /// The events `request` asks for (FilterLogEvents), within its bounds and time limit.
    async fn events(
        &self,
        env: &EnvId,
        request: &crate::domain::logs::LogRequest,
    ) -> Result<crate::domain::logs::LogPage, crate::domain::logs::LogsFailure>;

    /// A Logs Insights query over `groups` from `from` to `to`, cancelled after `timeout_secs`.
    #[allow(clippy::too_many_arguments)]
    async fn insights(
        &self,
        env: &EnvId,
        groups: &[String],
        query: &str,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
        limit: u32,
        timeout_secs: u64,
    ) -> Result<crate::domain::logs::InsightsResult, crate::domain::logs::LogsFailure>;
}

/// A release request about to be recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRelease {
    /// The form's request key: a double submit by the same requester in the same environment
    /// finds the first request; anyone else's key is another key.
    pub request_key: crate::domain::actions::IdempotencyKey,
    pub env: String,
    pub kind: crate::domain::actions::ActionKind,
    pub target: String,
    pub command: ActionCommand,
    pub summary: String,
    pub changes: Vec<crate::domain::plans::Change>,
    pub reason: String,
    pub ticket_url: Option<String>,
    /// The requester's name, for showing.
    pub requester: String,
    /// Who asks: the request key's scope, and never the one to approve it.
    pub requester_id: crate::domain::person::PersonId,
    pub via_token: Option<String>,
    pub required: u32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The promotion this request is one service of, shared by its siblings. A group belongs
    /// to the requester who opened it, in its environment, and takes no request once closed.
    pub group: Option<String>,
    /// The revision diff shown with the request.
    pub diff: Vec<crate::domain::plans::Change>,
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseQuery {
    /// Only these environments (the ones the person may view).
    pub envs: Vec<String>,
    pub state: Option<crate::domain::approvals::ReleaseState>,
    /// Only the requests of this person (by id).
    pub requester: Option<crate::domain::person::PersonId>,
    /// Only requests about this resource (`cluster/service`).
    pub target: Option<String>,
    /// Only the requests of one promotion.
    pub group: Option<String>,
    pub limit: i64,
}

/// What recording a release request found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseCreated {
    /// A new request, with its first history entry and audit row.
    Created(i64),
    /// The request this requester already recorded under the same key in this environment.
    Found(i64),
    /// The promotion group belongs to someone else, or to another environment.
    GroupTaken,
    /// The promotion group was closed when the promotion that opened it ended.
    GroupClosed,
}

/// Who opened a promotion group, where, and whether it still takes requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupOwner {
    pub env: String,
    /// The creator's name, for showing.
    pub creator: String,
    /// Who opened it: only they add requests to it.
    pub creator_id: crate::domain::person::PersonId,
    pub closed: bool,
}

/// Release requests, their votes and their history.
#[async_trait::async_trait]
pub trait ReleaseStore: Send + Sync {
    /// Records a new request with its first history entry and audit row, unless the requester
    /// already recorded one under the same key in the same environment; a request of a
    /// promotion group opens the group or joins it while it is the requester's, in the same
    /// environment, and open — all in one transaction.
    async fn create(
        &self,
        release: &NewRelease,
        audit: AuditEntry,
    ) -> Result<ReleaseCreated, PortError>;
    /// Who opened promotion group `key`, if anyone did.
    async fn group_owner(&self, key: &str) -> Result<Option<GroupOwner>, PortError>;
    /// Closes promotion group `key`: no request joins it any more.
    async fn close_group(&self, key: &str) -> Result<(), PortError>;
    async fn get(&self, id: i64) -> Result<Option<crate::domain::approvals::Release>, PortError>;
    /// The command a request runs.
    async fn command(&self, id: i64) -> Result<Option<ActionCommand>, PortError>;
    async fn list(
        &self,
        query: &ReleaseQuery,
    ) -> Result<Vec<crate::domain::approvals::Release>, PortError>;
    /// Records a vote (once per person: a second one is refused by the database) and, in the
    /// same transaction, moves a `requested` request to `approved` when the approvals reach
    /// `required`, or to `rejected` on a rejection. Returns the state after the vote, or `None`
    /// when this person had already voted.
    async fn vote(
        &self,
        id: i64,
        vote: &crate::domain::approvals::Vote,
        required: u32,
        audit: AuditEntry,
    ) -> Result<Option<crate::domain::approvals::ReleaseState>, PortError>;
    /// Moves the request from one of `from` to `to` if it is still there, with a history entry
    /// and an audit row, in one transaction. True when this caller made the move.
    async fn transition(
        &self,
        id: i64,
        from: &[crate::domain::approvals::ReleaseState],
        to: crate::domain::approvals::ReleaseState,
        event: &crate::domain::approvals::ReleaseEvent,
        audit: AuditEntry,
    ) -> Result<bool, PortError>;
    /// Records the outcome text and the break-glass reason, if any.
    async fn annotate(
        &self,
        id: i64,
        result: Option<&str>,
        break_glass: Option<&str>,
    ) -> Result<(), PortError>;
    /// Ids of requests in these states, oldest first.
    async fn ids_in(
        &self,
        states: &[crate::domain::approvals::ReleaseState],
    ) -> Result<Vec<i64>, PortError>;
}

/// Sends notifications (webhooks) through the durable outbox: a notice is written to the
/// database, one row per configured webhook, and delivered in the background by the process
/// that holds the jobs lease, with retries for hours. Writing is all the caller waits for.
#[async_trait::async_trait]
pub trait Notifier: Send + Sync {
    /// Writes `body` (a release or incident notice's JSON) to the outbox for every webhook; with
    /// no webhook configured, nothing. A failure is the caller's to log: it never undoes the
    /// step the notice is about.
    async fn notify(&self, body: serde_json::Value) -> Result<(), PortError>;
}

/// What "retry now" did to an outbox row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryScheduled {
    /// Due now, with its audit row written.
    Scheduled,
    /// Delivered, taken by an attempt or removed since it was read: nothing changed.
    Changed,
}

/// The webhook outbox as admins see it.
#[async_trait::async_trait]
pub trait OutboxPort: Send + Sync {
    /// Counts and latest times per webhook that has rows.
    async fn tallies(&self) -> Result<Vec<crate::domain::outbox::WebhookTally>, PortError>;
    /// The newest rows (in `state` only, if given), at most `limit`.
    async fn rows(
        &self,
        state: Option<crate::domain::outbox::DeliveryState>,
        limit: i64,
    ) -> Result<Vec<crate::domain::outbox::OutboxRow>, PortError>;
    async fn get(&self, id: i64) -> Result<Option<crate::domain::outbox::OutboxRow>, PortError>;
    /// Makes a pending or given-up row that no attempt holds due at `now` (given-up rows become
    /// pending), with `audit` in the same transaction.
    async fn retry_now(
        &self,
        id: i64,
        now: chrono::DateTime<chrono::Utc>,
        audit: AuditEntry,
    ) -> Result<RetryScheduled, PortError>;
}

/// One-time messages for the browser's next page (flashes), kept in its sign-in session so
/// whichever replica serves that page shows them.
#[async_trait::async_trait]
pub trait FlashPort: Send + Sync {
    /// Keeps a message of `kind`; answers the id the page address carries.
    async fn put(
        &self,
        kind: crate::domain::flash::FlashKind,
        text: String,
    ) -> Result<String, PortError>;
    /// The message of `kind` with this id, removed so it shows once.
    async fn take(
        &self,
        kind: crate::domain::flash::FlashKind,
        id: &str,
    ) -> Result<Option<String>, PortError>;
}

/// What creating a token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCreated {
    /// The token and its secret, to show once.
    Created(Box<crate::domain::tokens::ApiToken>, String),
    /// A token with this name exists.
    NameTaken,
}

/// API tokens: only hashes of their secrets are kept.
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync {
    /// Creates a token with a fresh secret for the person `created_by` (their name and id), with
    /// its audit row in one transaction.
    async fn create(
        &self,
        request: &crate::domain::tokens::TokenRequest,
        created_by: &crate::domain::policy::Principal,
        now: chrono::DateTime<chrono::Utc>,
        audit: AuditEntry,
    ) -> Result<TokenCreated, PortError>;
    async fn list(&self) -> Result<Vec<crate::domain::tokens::ApiToken>, PortError>;
    async fn get(&self, id: i64) -> Result<Option<crate::domain::tokens::ApiToken>, PortError>;
    /// Revokes a token (once), with its audit row. True when this call revoked it.
    async fn revoke(
        &self,
        id: i64,
        now: chrono::DateTime<chrono::Utc>,
        audit: AuditEntry,
    ) -> Result<bool, PortError>;
    /// The token whose secret this is, whatever its state, marking it used when it is usable.
    async fn authenticate(
        &self,
        secret: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<crate::domain::tokens::ApiToken>, PortError>;
}

/// The audit row of ending a person's sessions, given how many ended.
pub type SessionsEndedAudit<'a> = dyn Fn(usize) -> AuditEntry + Send + Sync + 'a;

/// Sign-in sessions as an admin sees them, filed under the person they belong to.
#[async_trait::async_trait]
pub trait SessionPort: Send + Sync {
    /// The people with sessions that have not expired at `now`, most recently active first.
    async fn signed_in(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<crate::domain::sessions::SignedInPerson>, PortError>;
    /// Ends every session of the person `person` (by id: whatever names they signed in under;
    /// their next request is signed out), with the audit row `audit` builds from the count in
    /// the same transaction; answers how many ended.
    async fn end_all(
        &self,
        person: &crate::domain::person::PersonId,
        audit: &SessionsEndedAudit<'_>,
    ) -> Result<usize, PortError>;
}

/// A timeline entry to record, once: an entry whose `dedupe` key is already recorded is skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub env: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub app: Option<String>,
    /// The alarm name, `cluster/service` or database id the entry is about.
    pub subject: String,
    pub kind: crate::domain::incidents::EntryKind,
    pub summary: String,
    pub actor: Option<String>,
    pub incident: Option<i64>,
    pub dedupe: Option<String>,
}

/// A recorded timeline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub subject: String,
    pub app: Option<String>,
    pub incident: Option<i64>,
    pub entry: crate::domain::incidents::TimelineEntry,
}

/// A new incident, with the alarm that opened it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    pub env: String,
    pub group_key: String,
    pub app: Option<String>,
    pub title: String,
    pub severity: crate::domain::incidents::Severity,
    pub alarm: crate::domain::incidents::IncidentAlarm,
}

/// An alarm's last recorded state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownAlarm {
    pub state: crate::domain::inventory::AlarmState,
    pub since: chrono::DateTime<chrono::Utc>,
}

/// Incidents, their alarms and timelines, the alarm states the poller last saw, and on-call
/// overrides. Every change to an incident is a conditional update in one transaction with its
/// timeline entry and (for people's changes) its audit row.
#[async_trait::async_trait]
pub trait IncidentStore: Send + Sync {
    /// The state each alarm of `env` was last recorded in.
    async fn alarm_states(
        &self,
        env: &str,
    ) -> Result<std::collections::BTreeMap<String, KnownAlarm>, PortError>;
    /// Records alarm transitions as timeline entries (each once) and the alarms' latest states;
    /// returns the indexes of those that were new.
    async fn record_transitions(
        &self,
        env: &str,
        transitions: &[(crate::domain::incidents::Transition, NewEntry)],
    ) -> Result<Vec<usize>, PortError>;
    /// Records entries, each once; returns how many were new.
    async fn record_entries(&self, entries: &[NewEntry]) -> Result<usize, PortError>;
    /// The deployment last seen per service key of `env`: its task definition and PRIMARY
    /// deployment id (`<task definition>#<deployment id>`).
    async fn last_deployments(
        &self,
        env: &str,
    ) -> Result<std::collections::HashMap<String, String>, PortError>;
    /// Remembers the deployment each service runs (`(service key, marker)`, as
    /// `last_deployments` answers them), in one transaction.
    async fn set_last_deployments(
        &self,
        env: &str,
        markers: &[(String, String)],
    ) -> Result<(), PortError>;
    /// Incidents of one environment and group, open or resolved recently enough to matter
    /// (resolved after `since`).
    async fn candidates(
        &self,
        env: &str,
        group_key: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<crate::domain::incidents::Incident>, PortError>;
    /// Opens an incident with its first alarm, its timeline entry and audit row.
    async fn open(&self, incident: &NewIncident, audit: AuditEntry) -> Result<i64, PortError>;
    /// Adds an alarm to an incident (or updates its state there) and, when it fired, moves
    /// `last_fired_at`. A resolved incident is reopened (true when this call reopened it).
    async fn fire(
        &self,
        id: i64,
        alarm: &crate::domain::incidents::IncidentAlarm,
        audit: Option<AuditEntry>,
    ) -> Result<bool, PortError>;
    /// The alarm's new state in every open incident that holds it.
    async fn alarm_changed(
        &self,
        env: &str,
        alarm: &crate::domain::incidents::IncidentAlarm,
    ) -> Result<Vec<i64>, PortError>;
    /// Incidents in one of `envs` (none when empty) in `state`, newest first: the 500 newest
    /// of those environments, filtered before the limit.
    async fn list(
        &self,
        envs: &[&str],
        state: crate::domain::incidents::IncidentState,
    ) -> Result<Vec<crate::domain::incidents::Incident>, PortError>;
    async fn get(&self, id: i64) -> Result<Option<crate::domain::incidents::Incident>, PortError>;
    /// Applies a person's response (or, with the console's own job as `actor`, the automatic
    /// resolution) if the incident is still as the check saw it; true when this call changed it.
    /// The incident keeps the actor's id beside the name they are shown by.
    async fn respond(
        &self,
        id: i64,
        actor: &crate::domain::policy::Principal,
        response: &crate::domain::incidents::Response,
        at: chrono::DateTime<chrono::Utc>,
        audit: AuditEntry,
    ) -> Result<bool, PortError>;
    /// Marks an open, unacknowledged incident escalated, once; true when this call did.
    async fn mark_escalated(
        &self,
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, PortError>;
    /// Entries of `env` between `from` and `to`, plus every entry of incident `id`, oldest
    /// first (at most 2000).
    async fn entries(
        &self,
        env: &str,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
        id: i64,
    ) -> Result<Vec<StoredEntry>, PortError>;
    async fn overrides(&self) -> Result<Vec<crate::domain::oncall::Override>, PortError>;
    async fn add_override(
        &self,
        o: &crate::domain::oncall::Override,
        audit: AuditEntry,
    ) -> Result<i64, PortError>;
    /// Removes an override, once; true when this call removed it.
    async fn remove_override(&self, id: i64, audit: AuditEntry) -> Result<bool, PortError>;
}
