//! What the actions on scheduled jobs do in AWS: run a job once (ECS RunTask with the target's
//! parameters and overrides and the console's `startedBy`, or Lambda Invoke with `Event`),
//! enable or disable it (EventBridge EnableRule/DisableRule; Scheduler UpdateSchedule with the
//! schedule as GetSchedule reads it and only its state changed, since UpdateSchedule replaces
//! the whole definition), and read each back (DescribeRule or GetSchedule; ListTasks by the
//! console's `startedBy`). Mutations are sent once, without SDK retries.

use super::actions::{once, once_ecs, once_lambda};
use super::clients::{ActingClients, EnvClients};
use super::convert::time;
use super::failure::failure;
use app::domain::execution::Observed;
use app::domain::job_actions::{ContainerOverride, JobRunTarget};
use app::domain::scheduled_jobs::{EcsJobTarget, JobSource};
use app::ports::{ActionCommand, ActionFailure, ActionOutput, AwsChange};

/// Whether an EventBridge or Scheduler error says the rule or schedule does not exist.
fn missing(status: Option<u16>, code: Option<&str>) -> bool {
    status == Some(404) || code == Some("ResourceNotFoundException")
}

impl EnvClients {
    /// What a job action changed, read back; `None` for other commands.
    pub(super) async fn observe_job(
        &self,
        command: &ActionCommand,
    ) -> Option<Result<Observed, ActionFailure>> {
        use aws_smithy_types::error::metadata::ProvideErrorMetadata;
        Some(match command {
            ActionCommand::SetJobState {
                source: JobSource::Rule,
                name,
                ..
            } => match self.events.describe_rule().name(name).send().await {
                Ok(out) => Ok(Observed::JobState(Some(
                    out.state()
                        .is_some_and(|s| s.as_str().starts_with("ENABLED")),
                ))),
                Err(e)
                    if missing(
                        e.raw_response().map(|r| r.status().as_u16()),
                        e.as_service_error().and_then(|s| s.code()),
                    ) =>
                {
                    Ok(Observed::JobState(None))
                }
                Err(e) => Err(failure(e)),
            },
            ActionCommand::SetJobState {
                source: JobSource::Schedule { group },
                name,
                ..
            } => match self
                .scheduler
                .get_schedule()
                .group_name(group)
                .name(name)
                .send()
                .await
            {
                Ok(out) => Ok(Observed::JobState(Some(
                    out.state().map(|s| s.as_str()) != Some("DISABLED"),
                ))),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_resource_not_found_exception()) =>
                {
                    Ok(Observed::JobState(None))
                }
                Err(e) => Err(failure(e)),
            },
            ActionCommand::RunJob {
                run:
                    JobRunTarget::Task {
                        target, started_by, ..
                    },
                ..
            } => self
                .tasks_started_by(&target.cluster, started_by)
                .await
                .map(|started| Observed::JobRuns(Some(started))),
            ActionCommand::RunJob {
                run: JobRunTarget::Invoke { .. },
                ..
            } => Ok(Observed::JobRuns(None)),
            _ => return None,
        })
    }

    /// When the tasks ECS lists as started by `started_by` in `cluster` began, newest first.
    async fn tasks_started_by(
        &self,
        cluster: &str,
        started_by: &str,
    ) -> Result<Vec<chrono::DateTime<chrono::Utc>>, ActionFailure> {
        use aws_sdk_ecs::types::DesiredStatus;
        let mut arns = Vec::new();
        for status in [DesiredStatus::Running, DesiredStatus::Stopped] {
            let out = self
                .ecs
                .list_tasks()
                .cluster(cluster)
                .started_by(started_by)
                .desired_status(status)
                .max_results(100)
                .send()
                .await
                .map_err(failure)?;
            arns.extend(out.task_arns().iter().cloned());
        }
        if arns.is_empty() {
            return Ok(Vec::new());
        }
        let described = self
            .ecs
            .describe_tasks()
            .cluster(cluster)
            .set_tasks(Some(arns.into_iter().take(100).collect()))
            .send()
            .await
            .map_err(failure)?;
        let mut started: Vec<_> = described
            .tasks()
            .iter()
            .filter_map(|t| time(t.created_at()).or_else(|| time(t.started_at())))
            .collect();
        started.sort_by(|a, b| b.cmp(a));
        Ok(started)
    }
}

impl ActingClients {
    /// The changes to scheduled jobs.
    pub(super) async fn apply_job(
        &self,
        change: &AwsChange,
    ) -> Result<ActionOutput, ActionFailure> {
        match change {
            AwsChange::RunJob {
                run:
                    JobRunTarget::Task {
                        target,
                        overrides,
                        started_by,
                    },
            } => self.run_task(target, overrides, started_by).await,
            AwsChange::RunJob {
                run:
                    JobRunTarget::Invoke {
                        function,
                        qualifier,
                        payload,
                    },
            } => {
                use aws_sdk_lambda::primitives::Blob;
                use aws_sdk_lambda::types::InvocationType;
                self.lambda
                    .invoke()
                    .function_name(function)
                    .set_qualifier(qualifier.clone())
                    .invocation_type(InvocationType::Event)
                    .payload(Blob::new(payload.as_bytes()))
                    .customize()
                    .config_override(once_lambda())
                    .send()
                    .await
                    .map(|_| ActionOutput::default())
                    .map_err(failure)
            }
            AwsChange::SetJobState {
                source: JobSource::Rule,
                name,
                enabled,
            } => {
                let config =
                    || aws_sdk_eventbridge::config::Builder::default().retry_config(once());
                let sent = if *enabled {
                    self.events
                        .enable_rule()
                        .name(name)
                        .customize()
                        .config_override(config())
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(failure)
                } else {
                    self.events
                        .disable_rule()
                        .name(name)
                        .customize()
                        .config_override(config())
                        .send()
                        .await
                        .map(|_| ())
                        .map_err(failure)
                };
                sent.map(|()| ActionOutput::default())
            }
            AwsChange::SetJobState {
                source: JobSource::Schedule { group },
                name,
                enabled,
            } => self.set_schedule_state(group, name, *enabled).await,
            _ => Err(ActionFailure::refused(
                "NotAJob",
                "this change is not one of a scheduled job",
            )),
        }
    }

    /// RunTask as the job's target would: its cluster, task definition, count, launch type or
    /// capacity providers, platform version, group, network and container overrides, tagged as
    /// the console's run.
    async fn run_task(
        &self,
        t: &EcsJobTarget,
        overrides: &[ContainerOverride],
        started_by: &str,
    ) -> Result<ActionOutput, ActionFailure> {
        use aws_sdk_ecs::types::{
            AssignPublicIp, AwsVpcConfiguration, CapacityProviderStrategyItem,
            ContainerOverride as Co, KeyValuePair, LaunchType, NetworkConfiguration, PropagateTags,
            TaskOverride,
        };
        let mut request = self
            .ecs
            .run_task()
            .cluster(&t.cluster)
            .task_definition(&t.task_definition)
            .count(t.count.max(1))
            .started_by(started_by)
            .set_platform_version(t.platform_version.clone())
            .set_group(t.group.clone())
            .enable_ecs_managed_tags(t.enable_ecs_managed_tags)
            .set_propagate_tags(t.propagate_tags.as_deref().map(PropagateTags::from));
        match (&t.launch_type, t.capacity_providers.is_empty()) {
            (Some(l), _) => request = request.launch_type(LaunchType::from(l.as_str())),
            (None, false) => {
                for (provider, weight, base) in &t.capacity_providers {
                    let item = CapacityProviderStrategyItem::builder()
                        .capacity_provider(provider)
                        .weight(*weight)
                        .base(*base)
                        .build()
                        .map_err(|e| ActionFailure::refused("NotSent", e.to_string()))?;
                    request = request.capacity_provider_strategy(item);
                }
            }
            (None, true) => {}
        }
        if !t.subnets.is_empty() {
            let vpc = AwsVpcConfiguration::builder()
                .set_subnets(Some(t.subnets.clone()))
                .set_security_groups(Some(t.security_groups.clone()).filter(|g| !g.is_empty()))
                .assign_public_ip(if t.assign_public_ip {
                    AssignPublicIp::Enabled
                } else {
                    AssignPublicIp::Disabled
                })
                .build()
                .map_err(|e| ActionFailure::refused("NotSent", e.to_string()))?;
            request = request.network_configuration(
                NetworkConfiguration::builder()
                    .awsvpc_configuration(vpc)
                    .build(),
            );
        }
        if !overrides.is_empty() {
            let mut task = TaskOverride::builder();
            for o in overrides {
                let mut c = Co::builder().name(&o.name).set_command(o.command.clone());
                for (k, v) in &o.environment {
                    c = c.environment(KeyValuePair::builder().name(k).value(v).build());
                }
                task = task.container_overrides(c.build());
            }
            request = request.overrides(task.build());
        }
        let out = request
            .customize()
            .config_override(once_ecs())
            .send()
            .await
            .map_err(failure)?;
        let failures: Vec<String> = out
            .failures()
            .iter()
            .map(|f| {
                format!(
                    "{}{}",
                    f.reason().unwrap_or("no reason given"),
                    f.detail().map(|d| format!(" ({d})")).unwrap_or_default()
                )
            })
            .collect();
        match (out.tasks().len(), failures.is_empty()) {
            (_, true) => Ok(ActionOutput::default()),
            (0, false) => Err(ActionFailure::refused(
                "RunTaskFailed",
                format!("ECS started no task: {}", failures.join("; ")),
            )),
            (started, false) => Err(ActionFailure {
                code: "RunTaskPartly".into(),
                message: format!(
                    "ECS started {started} of {} tasks: {}",
                    t.count,
                    failures.join("; ")
                ),
                outcome: app::domain::execution::CallOutcome::MaybeApplied,
            }),
        }
    }

    /// UpdateSchedule replaces a schedule whole: it is read (GetSchedule) and written back with
    /// only its state changed.
    async fn set_schedule_state(
        &self,
        group: &str,
        name: &str,
        enabled: bool,
    ) -> Result<ActionOutput, ActionFailure> {
        use aws_sdk_scheduler::types::ScheduleState;
        let now = self
            .scheduler
            .get_schedule()
            .group_name(group)
            .name(name)
            .send()
            .await
            .map_err(failure)?;
        let (Some(expression), Some(window), Some(target)) = (
            now.schedule_expression(),
            now.flexible_time_window(),
            now.target(),
        ) else {
            return Err(ActionFailure::refused(
                "IncompleteSchedule",
                format!("GetSchedule did not return all of {group}/{name} (expression, window and target), so it cannot be written back unchanged"),
            ));
        };
        self.scheduler
            .update_schedule()
            .group_name(group)
            .name(name)
            .schedule_expression(expression)
            .set_schedule_expression_timezone(
                now.schedule_expression_timezone().map(str::to_string),
            )
            .set_description(now.description().map(str::to_string))
            .set_start_date(now.start_date().cloned())
            .set_end_date(now.end_date().cloned())
            .set_kms_key_arn(now.kms_key_arn().map(str::to_string))
            .set_action_after_completion(now.action_after_completion().cloned())
            .flexible_time_window(window.clone())
            .target(target.clone())
            .state(if enabled {
                ScheduleState::Enabled
            } else {
                ScheduleState::Disabled
            })
            .customize()
            .config_override(aws_sdk_scheduler::config::Builder::default().retry_config(once()))
            .send()
            .await
            .map(|_| ActionOutput::default())
            .map_err(failure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_rule_is_told_by_its_status_or_code() {
        assert!(missing(Some(404), None));
        assert!(missing(Some(400), Some("ResourceNotFoundException")));
        assert!(!missing(Some(400), Some("ValidationException")));
        assert!(!missing(None, None));
    }
}
