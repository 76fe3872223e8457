//! Mutations in AWS: scale and redeploy an ECS service, snapshot a database, switch an alarm's
//! actions off and on. Each returns AWS's error code and message on failure.

use super::clients::EnvClients;
use crate::aws::call_stats::{with_purpose, Purpose};
use app::domain::ids::EnvId;
use app::ports::{ActionCommand, ActionFailure, ActionOutput, ActionPort};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::collections::HashMap;
use std::sync::Arc;

/// AWS's code and message, or what went wrong on the way there.
fn failure<E>(
    error: aws_sdk_ecs::error::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> ActionFailure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_sdk_ecs::error::SdkError;
    match &error {
        SdkError::ServiceError(e) => ActionFailure {
            code: e.err().code().unwrap_or("Unknown").to_string(),
            message: e.err().message().unwrap_or("AWS gave no message").to_string(),
        },
        SdkError::TimeoutError(_) => ActionFailure {
            code: "Timeout".into(),
            message: "AWS did not answer in time; the change may or may not have been made, check the resource".into(),
        },
        SdkError::DispatchFailure(_) => ActionFailure {
            code: "Unreachable".into(),
            message: super::convert::error_text("the request could not be sent", &error),
        },
        _ => ActionFailure {
            code: "Unknown".into(),
            message: super::convert::error_text("the call failed", &error),
        },
    }
}

impl EnvClients {
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
        let td = described.task_definition().ok_or_else(|| ActionFailure {
            code: "TaskDefinitionMissing".into(),
            message: format!("{from} could not be read"),
        })?;
        if let Some((missing, _)) = images.iter().find(|(name, _)| {
            !td.container_definitions()
                .iter()
                .any(|c| c.name() == Some(name))
        }) {
            return Err(ActionFailure {
                code: "ContainerNotFound".into(),
                message: format!("{from} has no container named {missing}"),
            });
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
            })
    }

    /// Registers a copy of `from` with `images` swapped in and moves the service to it; a
    /// refused move deregisters the copy again.
    async fn deploy_images(
        &self,
        cluster: &str,
        service: &str,
        from: &str,
        images: &[(String, String)],
    ) -> Result<ActionOutput, ActionFailure> {
        let arn = self.register_with_images(from, images).await?;
        let updated = self
            .ecs
            .update_service()
            .cluster(cluster)
            .service(service)
            .task_definition(&arn)
            .send()
            .await
            .map_err(failure);
        match updated {
            Ok(_) => Ok(ActionOutput {
                revision: Some(arn),
            }),
            Err(mut refused) => {
                // Nothing half-applied: the revision registered for this deploy goes
                // again, so the family lists only what ran or can run.
                let removed = self
                    .ecs
                    .deregister_task_definition()
                    .task_definition(&arn)
                    .send()
                    .await;
                match removed {
                    Ok(_) => refused.message.push_str(&format!(
                        " (the service was not changed; the revision registered for this deploy, {}, was deregistered again)",
                        app::domain::inventory::revision_label_from_arn(&arn)
                    )),
                    Err(e) => {
                        tracing::warn!(error = %super::convert::error_text("DeregisterTaskDefinition", &e), arn = %arn, "could not deregister after a failed deploy");
                        refused.message.push_str(&format!(
                            " (the service was not changed; {} was registered and could not be deregistered again)",
                            app::domain::inventory::revision_label_from_arn(&arn)
                        ));
                    }
                }
                Err(refused)
            }
        }
    }

    pub(crate) async fn execute(
        &self,
        command: &ActionCommand,
    ) -> Result<ActionOutput, ActionFailure> {
        match command {
            ActionCommand::Scale {
                cluster,
                service,
                desired,
            } => self
                .ecs
                .update_service()
                .cluster(cluster)
                .service(service)
                .desired_count(*desired)
                .send()
                .await
                .map(|_| ActionOutput::default())
                .map_err(failure),
            ActionCommand::Redeploy { cluster, service } => self
                .ecs
                .update_service()
                .cluster(cluster)
                .service(service)
                .force_new_deployment(true)
                .send()
                .await
                .map(|_| ActionOutput::default())
                .map_err(failure),
            ActionCommand::Rollback {
                cluster,
                service,
                task_definition,
            } => self
                .ecs
                .update_service()
                .cluster(cluster)
                .service(service)
                .task_definition(task_definition)
                .send()
                .await
                .map(|_| ActionOutput {
                    revision: Some(task_definition.clone()),
                })
                .map_err(failure),
            ActionCommand::Deploy {
                cluster,
                service,
                from,
                container,
                image,
            } => {
                self.deploy_images(
                    cluster,
                    service,
                    from,
                    &[(container.clone(), image.clone())],
                )
                .await
            }
            ActionCommand::DeployImages {
                cluster,
                service,
                from,
                images,
            } => self.deploy_images(cluster, service, from, images).await,
            ActionCommand::Snapshot {
                db,
                aurora: false,
                name,
            } => self
                .rds
                .create_db_snapshot()
                .db_instance_identifier(db)
                .db_snapshot_identifier(name)
                .send()
                .await
                .map(|_| ActionOutput::default())
                .map_err(failure),
            ActionCommand::Snapshot {
                db,
                aurora: true,
                name,
            } => self
                .rds
                .create_db_cluster_snapshot()
                .db_cluster_identifier(db)
                .db_cluster_snapshot_identifier(name)
                .send()
                .await
                .map(|_| ActionOutput::default())
                .map_err(failure),
            ActionCommand::SetAlarmActions {
                alarm,
                enabled: true,
            } => self
                .cloudwatch
                .enable_alarm_actions()
                .alarm_names(alarm)
                .send()
                .await
                .map(|_| ActionOutput::default())
                .map_err(failure),
            ActionCommand::SetAlarmActions {
                alarm,
                enabled: false,
            } => self
                .cloudwatch
                .disable_alarm_actions()
                .alarm_names(alarm)
                .send()
                .await
                .map(|_| ActionOutput::default())
                .map_err(failure),
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
}

#[async_trait::async_trait]
impl ActionPort for AwsActions {
    async fn execute(
        &self,
        env: &EnvId,
        command: &ActionCommand,
    ) -> Result<ActionOutput, ActionFailure> {
        let clients = self.clients.get(env).ok_or_else(|| ActionFailure {
            code: "UnknownEnvironment".into(),
            message: format!("there is no environment {env}"),
        })?;
        with_purpose(Purpose::Action, clients.execute(command)).await
    }
}
