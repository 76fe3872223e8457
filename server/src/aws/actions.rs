//! What actions do in AWS: read the resource an action changes (DescribeServices,
//! DescribeDBSnapshots / DescribeDBClusterSnapshots, DescribeAlarms, GetQueueAttributes,
//! ListMessageMoveTasks, GetEventSourceMapping, GetAlias, GetFunctionConcurrency), register and
//! deregister a deploy's task definition, and make the one change (UpdateService,
//! CreateDBSnapshot / CreateDBClusterSnapshot, Enable/DisableAlarmActions, StartMessageMoveTask,
//! CancelMessageMoveTask, PurgeQueue, UpdateEventSourceMapping, UpdateAlias,
//! Put/DeleteFunctionConcurrency; the scheduled jobs' in `job_actions.rs`, the Auto Scaling
//! groups' in `asg_actions.rs`). Mutations are sent
//! once, without SDK
//! retries. A failure carries AWS's error code and message and what it says about the change
//! (`domain::execution::classify`).

use super::clients::{ActingClients, EnvClients};
use super::failure::failure;
use crate::aws::call_stats::{with_purpose, Purpose};
use app::domain::acting::AwsActor;
use app::domain::execution::{LiveService, Observed};
use app::domain::ids::EnvId;
use app::domain::work_actions::AliasRouting;
use app::ports::{ActionCommand, ActionFailure, ActionOutput, ActionPort, AwsChange};
use aws_config::retry::RetryConfig;
use std::collections::HashMap;
use std::sync::Arc;

/// One attempt only: a retry could follow an attempt AWS applied, and its answer would say
/// nothing about that one.
pub(super) fn once() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(1)
}

pub(super) fn once_ecs() -> aws_sdk_ecs::config::Builder {
    aws_sdk_ecs::config::Builder::default().retry_config(once())
}

fn once_rds() -> aws_sdk_rds::config::Builder {
    aws_sdk_rds::config::Builder::default().retry_config(once())
}

fn once_cloudwatch() -> aws_sdk_cloudwatch::config::Builder {
    aws_sdk_cloudwatch::config::Builder::default().retry_config(once())
}

fn once_sqs() -> aws_sdk_sqs::config::Builder {
    aws_sdk_sqs::config::Builder::default().retry_config(once())
}

pub(super) fn once_lambda() -> aws_sdk_lambda::config::Builder {
    aws_sdk_lambda::config::Builder::default().retry_config(once())
}

/// An endpoint that answers an SQS call with a web page instead of an SQS error (as an emulator
/// does for an operation it lacks) does not offer the operation: said so plainly, as a refusal.
/// Real SQS answers every error in its own JSON shape.
fn not_offered<E>(e: &aws_sdk_sqs::error::SdkError<E>) -> Option<ActionFailure> {
    let raw = e.raw_response()?;
    let html = raw
        .headers()
        .get("content-type")
        .is_some_and(|t| t.contains("html"));
    (raw.status().is_server_error() && html).then(|| {
        ActionFailure::refused(
            "NotAvailable",
            format!(
                "this SQS endpoint does not offer message move tasks (it answered HTTP {} with a web page, not an SQS error): redrives are not available here",
                raw.status().as_u16()
            ),
        )
    })
}

/// Whether a Lambda error says the function, alias or mapping does not exist.
fn lambda_not_found<E>(e: &aws_sdk_lambda::error::SdkError<E>) -> bool {
    e.raw_response().is_some_and(|r| r.status().as_u16() == 404)
}

impl EnvClients {
    /// A service's revision, desired count and newest deployment; `None` when it is gone.
    async fn live_service(
        &self,
        cluster: &str,
        name: &str,
    ) -> Result<Option<LiveService>, ActionFailure> {
        let out = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .services(name)
            .send()
            .await
            .map_err(failure)?;
        Ok(out
            .services()
            .iter()
            .find(|s| s.service_name() == Some(name) && s.status() != Some("INACTIVE"))
            .map(|s| LiveService {
                task_definition: s.task_definition().unwrap_or_default().to_string(),
                desired: s.desired_count(),
                newest_deployment: s
                    .deployments()
                    .iter()
                    .filter_map(|d| super::convert::time(d.created_at()))
                    .max(),
            }))
    }

    /// A snapshot's status by name; `None` when there is none.
    async fn snapshot_status(
        &self,
        name: &str,
        aurora: bool,
    ) -> Result<Option<String>, ActionFailure> {
        if aurora {
            let found = self
                .rds
                .describe_db_cluster_snapshots()
                .db_cluster_snapshot_identifier(name)
                .send()
                .await;
            return match found {
                Ok(out) => Ok(out
                    .db_cluster_snapshots()
                    .first()
                    .map(|s| s.status().unwrap_or_default().to_string())),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_db_cluster_snapshot_not_found_fault()) =>
                {
                    Ok(None)
                }
                Err(e) => Err(failure(e)),
            };
        }
        let found = self
            .rds
            .describe_db_snapshots()
            .db_snapshot_identifier(name)
            .send()
            .await;
        match found {
            Ok(out) => Ok(out
                .db_snapshots()
                .first()
                .map(|s| s.status().unwrap_or_default().to_string())),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_db_snapshot_not_found_fault()) =>
            {
                Ok(None)
            }
            Err(e) => Err(failure(e)),
        }
    }

    /// What a queue or function action changed, read back; `None` for other commands.
    async fn observe_work(
        &self,
        command: &ActionCommand,
    ) -> Option<Result<Observed, ActionFailure>> {
        Some(match command {
            ActionCommand::Redrive { source_arn, .. }
            | ActionCommand::CancelRedrive { source_arn, .. } => {
                match self
                    .sqs
                    .list_message_move_tasks()
                    .source_arn(source_arn)
                    .max_results(10)
                    .send()
                    .await
                {
                    Ok(out) => Ok(Observed::MoveTasks(
                        out.results()
                            .iter()
                            .map(super::sqs::map_move_task)
                            .collect(),
                    )),
                    Err(e) => Err(not_offered(&e).unwrap_or_else(|| failure(e))),
                }
            }
            ActionCommand::Purge { url, .. } => {
                use aws_sdk_sqs::types::QueueAttributeName;
                match self
                    .sqs
                    .get_queue_attributes()
                    .queue_url(url)
                    .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
                    .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
                    .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
                    .send()
                    .await
                {
                    Ok(out) => {
                        let total = out
                            .attributes()
                            .map(|a| {
                                a.values()
                                    .filter_map(|v| v.trim().parse::<i64>().ok())
                                    .sum()
                            })
                            .unwrap_or(0);
                        Ok(Observed::Queue(Some(total)))
                    }
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|s| s.is_queue_does_not_exist()) =>
                    {
                        Ok(Observed::Queue(None))
                    }
                    Err(e) => Err(failure(e)),
                }
            }
            ActionCommand::SetMapping { uuid, .. } => {
                match self
                    .lambda
                    .get_event_source_mapping()
                    .uuid(uuid)
                    .send()
                    .await
                {
                    Ok(out) => Ok(Observed::Mapping(Some(
                        out.state().unwrap_or("unknown").to_string(),
                    ))),
                    Err(e) if lambda_not_found(&e) => Ok(Observed::Mapping(None)),
                    Err(e) => Err(failure(e)),
                }
            }
            ActionCommand::UpdateAlias {
                function, alias, ..
            } => {
                match self
                    .lambda
                    .get_alias()
                    .function_name(function)
                    .name(alias)
                    .send()
                    .await
                {
                    Ok(out) => {
                        let mut weights: Vec<(String, f64)> = out
                            .routing_config()
                            .and_then(|r| r.additional_version_weights())
                            .map(|w| w.iter().map(|(v, w)| (v.clone(), *w)).collect())
                            .unwrap_or_default();
                        weights.sort_by(|x, y| x.0.cmp(&y.0));
                        let read = app::domain::functions::Alias {
                            name: alias.clone(),
                            version: out.function_version().unwrap_or_default().to_string(),
                            weights,
                            description: None,
                        };
                        Ok(Observed::Alias(Some(AliasRouting::of(&read))))
                    }
                    Err(e) if lambda_not_found(&e) => Ok(Observed::Alias(None)),
                    Err(e) => Err(failure(e)),
                }
            }
            ActionCommand::SetConcurrency { function, .. } => {
                match self
                    .lambda
                    .get_function_concurrency()
                    .function_name(function)
                    .send()
                    .await
                {
                    Ok(out) => Ok(Observed::Concurrency(Some(
                        out.reserved_concurrent_executions(),
                    ))),
                    Err(e) if lambda_not_found(&e) => Ok(Observed::Concurrency(None)),
                    Err(e) => Err(failure(e)),
                }
            }
            _ => return None,
        })
    }

    async fn observe(&self, command: &ActionCommand) -> Result<Observed, ActionFailure> {
        use app::domain::inventory::ResourceRef;
        if let ActionCommand::Snapshot { name, aurora, .. } = command {
            return Ok(Observed::Snapshot(
                self.snapshot_status(name, *aurora).await?,
            ));
        }
        if let Some(observed) = self.observe_work(command).await {
            return observed;
        }
        if let Some(observed) = self.observe_job(command).await {
            return observed;
        }
        if let Some(observed) = self.observe_asg(command).await {
            return observed;
        }
        match command.resource() {
            ResourceRef::Service { cluster, name } => {
                Ok(Observed::Service(self.live_service(&cluster, &name).await?))
            }
            ResourceRef::Alarm { name } => {
                use aws_sdk_cloudwatch::types::AlarmType;
                let out = self
                    .cloudwatch
                    .describe_alarms()
                    .alarm_names(&name)
                    .alarm_types(AlarmType::MetricAlarm)
                    .alarm_types(AlarmType::CompositeAlarm)
                    .send()
                    .await
                    .map_err(failure)?;
                let metric = out
                    .metric_alarms()
                    .iter()
                    .find(|a| a.alarm_name() == Some(name.as_str()))
                    .map(|a| a.actions_enabled().unwrap_or(true));
                let composite = out
                    .composite_alarms()
                    .iter()
                    .find(|a| a.alarm_name() == Some(name.as_str()))
                    .map(|a| a.actions_enabled().unwrap_or(true));
                Ok(Observed::Alarm(metric.or(composite)))
            }
            ResourceRef::Database { id, .. } => Err(ActionFailure::refused(
                "NotObserved",
                format!("database {id} is read back by its snapshot"),
            )),
            ResourceRef::Queue { name, .. }
            | ResourceRef::Function { name }
            | ResourceRef::Job { key: name }
            | ResourceRef::Asg { name } => Err(ActionFailure::refused(
                "NotObserved",
                format!("{name} is read back by the command that changes it"),
            )),
        }
    }
}

impl ActingClients {
    /// Registers a new revision of `from`'s family, identical but for the named containers'
    /// images.
    async fn register_with_images(
        &self,
        from: &str,
        images: &[(String, String)],
    ) -> Result<String, ActionFailure> {
        let described = self
            .ecs
            .describe_task_definition()
            .task_definition(from)
            .include(aws_sdk_ecs::types::TaskDefinitionField::Tags)
            .send()
            .await
            .map_err(failure)?;
        let td = described.task_definition().ok_or_else(|| {
            ActionFailure::refused("TaskDefinitionMissing", format!("{from} could not be read"))
        })?;
        if let Some((missing, _)) = images.iter().find(|(name, _)| {
            !td.container_definitions()
                .iter()
                .any(|c| c.name() == Some(name))
        }) {
            return Err(ActionFailure::refused(
                "ContainerNotFound",
                format!("{from} has no container named {missing}"),
            ));
        }
        let containers: Vec<_> = td
            .container_definitions()
            .iter()
            .map(|c| {
                let mut copy = c.clone();
                if let Some((_, image)) = images.iter().find(|(name, _)| c.name() == Some(name)) {
                    copy.image = Some(image.clone());
                }
                copy
            })
            .collect();
        let registered = self
            .ecs
            .register_task_definition()
            .family(td.family().unwrap_or_default())
            .set_task_role_arn(td.task_role_arn().map(str::to_string))
            .set_execution_role_arn(td.execution_role_arn().map(str::to_string))
            .set_network_mode(td.network_mode().cloned())
            .set_container_definitions(Some(containers))
            .set_volumes(Some(td.volumes().to_vec()))
            .set_placement_constraints(Some(td.placement_constraints().to_vec()))
            .set_requires_compatibilities(Some(td.requires_compatibilities().to_vec()))
            .set_cpu(td.cpu().map(str::to_string))
            .set_memory(td.memory().map(str::to_string))
            .set_pid_mode(td.pid_mode().cloned())
            .set_ipc_mode(td.ipc_mode().cloned())
            .set_proxy_configuration(td.proxy_configuration().cloned())
            .set_ephemeral_storage(td.ephemeral_storage().cloned())
            .set_runtime_platform(td.runtime_platform().cloned())
            .set_tags(Some(described.tags().to_vec()).filter(|t| !t.is_empty()))
            .customize()
            .config_override(once_ecs())
            .send()
            .await
            .map_err(failure)?;
        registered
            .task_definition()
            .and_then(|t| t.task_definition_arn())
            .map(str::to_string)
            .ok_or_else(|| ActionFailure {
                code: "RegisterFailed".into(),
                message: "ECS returned no task definition ARN".into(),
                outcome: app::domain::execution::CallOutcome::MaybeApplied,
            })
    }

    async fn deregister(&self, arn: &str) -> Result<(), ActionFailure> {
        self.ecs
            .deregister_task_definition()
            .task_definition(arn)
            .customize()
            .config_override(once_ecs())
            .send()
            .await
            .map(|_| ())
            .map_err(failure)
    }

    pub(crate) async fn apply(&self, change: &AwsChange) -> Result<ActionOutput, ActionFailure> {
        match change {
            AwsChange::UpdateService {
                cluster,
                service,
                desired,
                task_definition,
                force_new_deployment,
            } => {
                let mut update = self.ecs.update_service().cluster(cluster).service(service);
                if let Some(desired) = desired {
                    update = update.desired_count(*desired);
                }
                if let Some(td) = task_definition {
                    update = update.task_definition(td);
                }
                if *force_new_deployment {
                    update = update.force_new_deployment(true);
                }
                update
                    .customize()
                    .config_override(once_ecs())
                    .send()
                    .await
                    .map(|_| ActionOutput {
                        revision: task_definition.clone(),
                    })
                    .map_err(failure)
            }
            AwsChange::Snapshot {
                db,
                aurora: false,
                name,
            } => self
                .rds
                .create_db_snapshot()
                .db_instance_identifier(db)
                .db_snapshot_identifier(name)
                .customize()
                .config_override(once_rds())
                .send()
                .await
                .map(|_| ActionOutput::default())
                .map_err(failure),
            AwsChange::Snapshot {
                db,
                aurora: true,
                name,
            } => self
                .rds
                .create_db_cluster_snapshot()
                .db_cluster_identifier(db)
                .db_cluster_snapshot_identifier(name)
                .customize()
                .config_override(once_rds())
                .send()
                .await
                .map(|_| ActionOutput::default())
                .map_err(failure),
            AwsChange::SetAlarmActions {
                alarm,
                enabled: true,
            } => self
                .cloudwatch
                .enable_alarm_actions()
                .alarm_names(alarm)
                .customize()
                .config_override(once_cloudwatch())
                .send()
                .await
                .map(|_| ActionOutput::default())
                .map_err(failure),
            AwsChange::SetAlarmActions {
                alarm,
                enabled: false,
            } => self
                .cloudwatch
                .disable_alarm_actions()
                .alarm_names(alarm)
                .customize()
                .config_override(once_cloudwatch())
                .send()
                .await
                .map(|_| ActionOutput::default())
                .map_err(failure),
            change => self.apply_work(change).await,
        }
    }

    /// The changes to queues and functions.
    async fn apply_work(&self, change: &AwsChange) -> Result<ActionOutput, ActionFailure> {
        fn done<T>(_: T) -> ActionOutput {
            ActionOutput::default()
        }
        match change {
            AwsChange::StartMoveTask {
                source_arn,
                destination_arn,
                rate,
            } => self
                .sqs
                .start_message_move_task()
                .source_arn(source_arn)
                .set_destination_arn(destination_arn.clone())
                .set_max_number_of_messages_per_second(*rate)
                .customize()
                .config_override(once_sqs())
                .send()
                .await
                .map(done)
                .map_err(|e| not_offered(&e).unwrap_or_else(|| failure(e))),
            AwsChange::CancelMoveTask { handle } => self
                .sqs
                .cancel_message_move_task()
                .task_handle(handle)
                .customize()
                .config_override(once_sqs())
                .send()
                .await
                .map(done)
                .map_err(|e| not_offered(&e).unwrap_or_else(|| failure(e))),
            AwsChange::PurgeQueue { url } => self
                .sqs
                .purge_queue()
                .queue_url(url)
                .customize()
                .config_override(once_sqs())
                .send()
                .await
                .map(done)
                .map_err(failure),
            AwsChange::UpdateMapping { uuid, enabled } => self
                .lambda
                .update_event_source_mapping()
                .uuid(uuid)
                .enabled(*enabled)
                .customize()
                .config_override(once_lambda())
                .send()
                .await
                .map(done)
                .map_err(failure),
            AwsChange::UpdateAlias {
                function,
                alias,
                routing,
            } => {
                // An empty map removes a weighted version: Lambda keeps the last routing when
                // RoutingConfig is left out.
                let weights: HashMap<String, f64> = routing.shares().into_iter().collect();
                let config = aws_sdk_lambda::types::AliasRoutingConfiguration::builder()
                    .set_additional_version_weights(Some(weights))
                    .build();
                self.lambda
                    .update_alias()
                    .function_name(function)
                    .name(alias)
                    .function_version(&routing.version)
                    .routing_config(config)
                    .customize()
                    .config_override(once_lambda())
                    .send()
                    .await
                    .map(done)
                    .map_err(failure)
            }
            AwsChange::PutConcurrency {
                function,
                reserved: Some(n),
            } => self
                .lambda
                .put_function_concurrency()
                .function_name(function)
                .reserved_concurrent_executions(*n)
                .customize()
                .config_override(once_lambda())
                .send()
                .await
                .map(done)
                .map_err(failure),
            AwsChange::PutConcurrency {
                function,
                reserved: None,
            } => self
                .lambda
                .delete_function_concurrency()
                .function_name(function)
                .customize()
                .config_override(once_lambda())
                .send()
                .await
                .map(done)
                .map_err(failure),
            AwsChange::SetCapacity { .. }
            | AwsChange::SetCapacityBounds { .. }
            | AwsChange::StartInstanceRefresh { .. } => self.apply_asg(change).await,
            AwsChange::RunJob { .. } | AwsChange::SetJobState { .. } => {
                self.apply_job(change).await
            }
            AwsChange::UpdateService { .. }
            | AwsChange::Snapshot { .. }
            | AwsChange::SetAlarmActions { .. } => Err(ActionFailure::refused(
                "NotAQueueOrFunction",
                "this change is not one of a queue or a function",
            )),
        }
    }
}

/// Routes each action to its environment's clients.
pub struct AwsActions {
    clients: HashMap<EnvId, Arc<EnvClients>>,
}

impl AwsActions {
    pub fn new(clients: HashMap<EnvId, Arc<EnvClients>>) -> Self {
        Self { clients }
    }

    fn clients(&self, env: &EnvId) -> Result<&Arc<EnvClients>, ActionFailure> {
        self.clients.get(env).ok_or_else(|| {
            ActionFailure::refused(
                "UnknownEnvironment",
                format!("there is no environment {env}"),
            )
        })
    }
}

#[async_trait::async_trait]
impl ActionPort for AwsActions {
    async fn observe(
        &self,
        env: &EnvId,
        command: &ActionCommand,
    ) -> Result<Observed, ActionFailure> {
        let clients = self.clients(env)?;
        with_purpose(Purpose::Action, clients.observe(command)).await
    }

    async fn register_revision(
        &self,
        env: &EnvId,
        actor: &AwsActor,
        from: &str,
        images: &[(String, String)],
    ) -> Result<String, ActionFailure> {
        let clients = self.clients(env)?;
        with_purpose(Purpose::Action, async {
            clients
                .acting(actor)
                .await?
                .register_with_images(from, images)
                .await
        })
        .await
    }

    async fn deregister_revision(
        &self,
        env: &EnvId,
        actor: &AwsActor,
        arn: &str,
    ) -> Result<(), ActionFailure> {
        let clients = self.clients(env)?;
        with_purpose(Purpose::Action, async {
            clients.acting(actor).await?.deregister(arn).await
        })
        .await
    }

    async fn set_scaling_range(
        &self,
        env: &EnvId,
        actor: &AwsActor,
        cluster: &str,
        service: &str,
        range: (i32, i32),
    ) -> Result<(), ActionFailure> {
        let clients = self.clients(env)?;
        with_purpose(Purpose::Action, async {
            clients
                .acting(actor)
                .await?
                .set_scaling_range(cluster, service, range)
                .await
        })
        .await
    }

    async fn apply(
        &self,
        env: &EnvId,
        actor: &AwsActor,
        change: &AwsChange,
    ) -> Result<ActionOutput, ActionFailure> {
        let clients = self.clients(env)?;
        with_purpose(Purpose::Action, async {
            clients.acting(actor).await?.apply(change).await
        })
        .await
    }
}
